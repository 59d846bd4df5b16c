"""The one place that answers "may this user see this case or attempt?".

Anything a user may not see is a 404, so "forbidden" and "missing" look alike.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cases.access import authorable_cases
from cases.models import Case, CaseVersion
from cases.schema import IMAGE_FILE
from cases.validate import finding_image_files
from scoring.models import Score
from scoring.rubric import RUBRIC_VERSION
from simulator import documents
from simulator.accounts.access import AnyUser, programs_for
from simulator.accounts.models import Role
from simulator.models import Attempt


def playable_cases(user: AnyUser) -> QuerySet[Case]:
    """Published cases the user may play: the bundled ones open to every
    program, and those of the programs the user belongs to."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    return Case.objects.filter(
        Q(program__isnull=True) | Q(program__in=programs_for(user)), published__isnull=False
    )


def get_playable_case(user: AnyUser, slug: str) -> Case:
    try:
        return playable_cases(user).select_related("published__algorithm_version").get(slug=slug)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


def get_attempt_for_user(user: AnyUser, pk: int) -> Attempt:
    """The user's own attempt, with its frozen case and algorithm, in one query
    (two the first time a worker process sees that case version)."""
    if not user.is_authenticated:
        raise Http404("No such attempt.")
    try:
        attempt = (
            Attempt.objects.select_related("case_version__case", "case_version__algorithm_version")
            .defer(*documents.DEFERRED)
            .get(pk=pk, user=user)
        )
    except Attempt.DoesNotExist:
        raise Http404("No such attempt.") from None
    attempt.user = user  # it is theirs: spares reading the user again (the score's xAPI record)
    documents.prime(attempt.case_version)
    return attempt


def visible_case_versions(user: AnyUser) -> QuerySet[CaseVersion]:
    """The case versions whose pages the user may open: every version of a case
    they author or review (drafts included), the published version of a case
    they may play, a version they played, and a version a resident played whose
    attempt a program they direct or teach counts (the read-only debrief,
    as ``scoring.access.get_attempt_score_for_staff`` allows it)."""
    if not user.is_authenticated or not user.is_active:
        return CaseVersion.objects.none()
    played = Attempt.objects.filter(user=user, case_version=OuterRef("pk"))
    read_by_staff = Score.objects.filter(
        attempt__case_version=OuterRef("pk"),
        rubric_version=RUBRIC_VERSION,
        counted_by__program__in=programs_for(user, [Role.DIRECTOR, Role.INSTRUCTOR]),
    )
    return CaseVersion.objects.filter(
        Q(case__in=authorable_cases(user))
        | Q(pk__in=playable_cases(user).values("published"))
        | Exists(played)
        | Exists(read_by_staff)
    )


def get_finding_image_for_user(user: AnyUser, version: int, file: str) -> str:
    """``file``, when a finding of case version ``version`` shows it and the user
    may open that version's pages; Http404 otherwise, so an image of a draft is
    seen by its authors and reviewers only, and one of a published case by
    whoever may play it."""
    document = (
        visible_case_versions(user).filter(pk=version).values_list("document", flat=True).first()
        if IMAGE_FILE.match(file)
        else None
    )
    if document is None or file not in {f for _, f in finding_image_files(document)}:
        raise Http404("No such image.")
    return file
