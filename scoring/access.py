"""The tracking side's access funnels: a program's residents, its cohorts
(and the roster rows, residents and invitations their pages name by id) and
assignments, the scores it may count, and the cases it may analyse.

Built on simulator.accounts.access (who holds which role where); like it,
every funnel raises Http404 for anything the user may not see.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import Case
from scoring.models import Assignment, Cohort, CohortMember, Invitation, Score
from scoring.rubric import RUBRIC_VERSION
from simulator.accounts.access import AnyUser, get_program_for_user, programs_for
from simulator.accounts.models import Membership, Program, Role
from simulator.params import parse_whole


def program_residents(program: Program) -> QuerySet:
    """Ids of the program's residents, as a subquery: those holding the
    resident role in it, and those on one of its cohorts now."""
    by_role = Membership.objects.filter(program=program, role=Role.RESIDENT).values("user_id")
    on_cohort = CohortMember.objects.filter(
        cohort__program=program, removed_at__isnull=True
    ).values("user_id")
    return get_user_model().objects.filter(Q(pk__in=by_role) | Q(pk__in=on_cohort)).values("pk")


def counted_by(attempt: Model) -> list[tuple[int, int | None]]:
    """(program id, cohort id or None) for every program that counts this
    finished attempt, and every cohort of it: the program's own or a bundled
    case, not started from another program's assignment; the program counts
    it when the resident held its resident role as the attempt finished, a
    cohort when the resident was on it then. Two queries (the attempt comes
    with its case), and the same answer whenever it is asked, so a rescore
    counts exactly as the score did.
    """
    finished = attempt.finished_at
    # The case's program, if it has one, and the program of the assignment the
    # attempt was started from, if any, are the only programs that may count it.
    case_program = attempt.case_version.case.program_id
    program_is = [Q(program=case_program)] if case_program is not None else []
    cohort_is = [Q(cohort__program=case_program)] if case_program is not None else []
    if attempt.assignment_id is not None:
        program_is.append(Q(program__cohorts__assignments=attempt.assignment_id))
        cohort_is.append(Q(cohort__program__cohorts__assignments=attempt.assignment_id))
    programs = Membership.objects.filter(
        *program_is, user=attempt.user_id, role=Role.RESIDENT, created__lte=finished
    ).values_list("program", flat=True)
    cohorts = CohortMember.objects.filter(
        Q(removed_at__isnull=True) | Q(removed_at__gte=finished),
        *cohort_is,
        user=attempt.user_id,
        added_at__lte=finished,
    ).values_list("cohort__program", "cohort")
    return [(p, None) for p in set(programs)] + sorted(set(cohorts))


def program_scores(program: Program, cohort: Cohort | None = None) -> QuerySet[Score]:
    """Scores (under the current rubric) a program may count, or one of its
    cohorts: the one definition every program page and export shares, and
    `_counting_note.html` states. See counted_by, whose answer is stored with every score
    (CountedScore). A resident of two programs is counted by each only for
    what they did as its resident: every aggregate and export of a program
    goes through here, so nothing another program's residents did elsewhere
    leaks."""
    return Score.objects.filter(
        counted_by__program=program,
        counted_by__cohort=cohort,
        rubric_version=RUBRIC_VERSION,
    )


def residents_in_scope(program: Program, cohort: Cohort | None = None) -> QuerySet:
    """Ids of the residents a program page covers: the cohort's current
    residents, or the program's."""
    if cohort is not None:
        return CohortMember.objects.filter(cohort=cohort, removed_at__isnull=True).values("user_id")
    return program_residents(program)


def get_attempt_score_for_staff(user: AnyUser, pk: int | str) -> Score:
    """The current score of a resident's attempt that a program the user
    directs or teaches counts (so the attempt is finished and theirs to read);
    Http404 otherwise, whoever asks."""
    wanted = parse_whole(str(pk))
    found = (
        Score.objects.filter(
            attempt_id=wanted,
            rubric_version=RUBRIC_VERSION,
            counted_by__program__in=programs_for(user, [Role.DIRECTOR, Role.INSTRUCTOR]),
        )
        .select_related("attempt__user")
        .first()
        if wanted is not None
        else None
    )
    if found is None:
        raise Http404("No such attempt.")
    return found


def get_cohort_for_director(user: AnyUser, pk: int, *, program: Program | None = None) -> Cohort:
    """A cohort of a program the user directs (of `program`, when the page
    is about one program); Http404 otherwise."""
    cohorts = Cohort.objects.select_related("program").filter(
        program__in=programs_for(user, Role.DIRECTOR)
    )
    if program is not None:
        cohorts = cohorts.filter(program=program)
    try:
        return cohorts.get(pk=pk)
    except Cohort.DoesNotExist:
        raise Http404("No such cohort.") from None


# The rows a cohort's pages name by id. Each takes a cohort that came through
# get_cohort_for_director, so looking only inside it is the whole check.


def get_member_of_cohort(cohort: Cohort, pk: int) -> CohortMember:
    """A roster row of the cohort, current or closed, with its user; Http404 otherwise."""
    try:
        return CohortMember.objects.select_related("user").get(cohort=cohort, pk=pk)
    except CohortMember.DoesNotExist:
        raise Http404("No such resident on this cohort.") from None


def get_resident_on_cohort(cohort: Cohort, user_id: int) -> AbstractBaseUser:
    """A resident on the cohort now; Http404 for anyone else, removed residents included."""
    try:
        member = CohortMember.objects.select_related("user").get(
            cohort=cohort, user_id=user_id, removed_at__isnull=True
        )
    except CohortMember.DoesNotExist:
        raise Http404("No such resident on this cohort.") from None
    return member.user


def get_invitation_of_cohort(cohort: Cohort, pk: int) -> Invitation:
    """An invitation to the cohort, whatever its state; Http404 otherwise."""
    try:
        return cohort.invitations.get(pk=pk)
    except Invitation.DoesNotExist:
        raise Http404("No such invitation.") from None


def get_assignment_for_director(user: AnyUser, pk: int) -> Assignment:
    """An assignment of a cohort in a program the user directs; Http404 otherwise."""
    try:
        return Assignment.objects.select_related("cohort__program").get(
            pk=pk, cohort__program__in=programs_for(user, Role.DIRECTOR)
        )
    except Assignment.DoesNotExist:
        raise Http404("No such assignment.") from None


def active_cohort_ids(user: AnyUser) -> QuerySet:
    """Ids of the cohorts the user is on now, as a subquery."""
    if not user.is_authenticated or not user.is_active:
        return CohortMember.objects.none().values("cohort_id")
    return CohortMember.objects.filter(user=user, removed_at__isnull=True).values("cohort_id")


def assignments_for_resident(user: AnyUser) -> QuerySet[Assignment]:
    """Assignments of every cohort the user is on now, open or not."""
    return Assignment.objects.filter(cohort__in=active_cohort_ids(user))


def open_assignment_of_case(user: AnyUser, case_id: int) -> Assignment | None:
    """The assignment an attempt at the case counts for, however the resident
    starts it: of a cohort they are on, listing the case, opened; the one due
    soonest when several do (an overdue one still counts, as late)."""
    return (
        assignments_for_resident(user)
        .filter(cases=case_id, opens_at__lte=timezone.now())
        .order_by("due_at", "pk")
        .first()
    )


def get_open_assignment_for_resident(user: AnyUser, pk: int | str, case_id: int) -> Assignment:
    """An assignment that lists the case, of a cohort the user is on, that
    has opened; Http404 otherwise (a resident cannot start it early)."""
    wanted = parse_whole(str(pk))
    if wanted is None:
        raise Http404("No such assignment.")
    try:
        return assignments_for_resident(user).get(
            pk=wanted, cases=case_id, opens_at__lte=timezone.now()
        )
    except Assignment.DoesNotExist:
        raise Http404("No such assignment.") from None


def item_analysis_cases(program: Program) -> QuerySet[Case]:
    """Cases an instructor of `program` may analyse: the program's own, and
    the bundled ones its residents have played."""
    played = Case.objects.filter(
        program__isnull=True,
        versions__attempts__scores__in=program_scores(program).values("pk"),
    ).values("pk")
    return Case.objects.filter(Q(program=program) | Q(pk__in=played))


# Who may read a program's item analysis: its instructors, who write the
# cases, and its directors, who assign them.
ITEM_ANALYSTS = (Role.INSTRUCTOR, Role.DIRECTOR)


def get_case_for_analyst(user: AnyUser, program_slug: str, case_slug: str) -> tuple[Program, Case]:
    """(program, case) when the user is an instructor or director of the
    program and may analyse the case."""
    program = get_program_for_user(user, program_slug, ITEM_ANALYSTS)
    try:
        return program, item_analysis_cases(program).get(slug=case_slug)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None
