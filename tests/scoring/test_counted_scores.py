"""Who counts a score is stored with it (CountedScore); the stored rows must
always equal a recount from the enrolment history, whatever happened."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Exists, OuterRef, Q

from scoring.access import program_scores
from scoring.models import Cohort, CohortMember, CountedScore, Score
from scoring.roster import cohort_member_remove
from scoring.rubric import RUBRIC_VERSION
from simulator.accounts.models import Membership, Program, Role
from tests.factories import (
    REFERENCE,
    SWAB,
    AssignmentFactory,
    CaseVersionFactory,
    CohortFactory,
    CohortMemberFactory,
    MembershipFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db


def recount(program: Program, cohort: Cohort | None) -> set[int]:
    """The definition, from the enrolment history alone, row by row."""
    finished = OuterRef("attempt__finished_at")
    if cohort is not None:
        enrolled = Exists(
            CohortMember.objects.filter(
                Q(removed_at__isnull=True) | Q(removed_at__gte=finished),
                cohort=cohort,
                user=OuterRef("attempt__user"),
                added_at__lte=finished,
            )
        )
    else:
        enrolled = Exists(
            Membership.objects.filter(
                program=program,
                role=Role.RESIDENT,
                user=OuterRef("attempt__user"),
                created__lte=finished,
            )
        )
    return set(
        Score.objects.filter(
            Q(attempt__case_version__case__program=program)
            | Q(attempt__case_version__case__program__isnull=True),
            Q(attempt__assignment__isnull=True) | Q(attempt__assignment__cohort__program=program),
            enrolled,
            attempt__finished_at__isnull=False,
            rubric_version=RUBRIC_VERSION,
        ).values_list("pk", flat=True)
    )


def assert_stored_equals_recount() -> None:
    for program in Program.objects.all():
        for cohort in [None, *program.cohorts.all()]:
            stored = set(program_scores(program, cohort).values_list("pk", flat=True))
            assert stored == recount(program, cohort), (program, cohort)


def test_stored_counts_equal_a_recount_through_a_busy_history(play: Any, case: Any) -> None:
    home, away = ProgramFactory(slug="home"), ProgramFactory(slug="away")
    home_a, home_b = CohortFactory(program=home), CohortFactory(program=home)
    away_cohort = CohortFactory(program=away)
    private = CaseVersionFactory(
        program=home, author=MembershipFactory(program=home, role=Role.INSTRUCTOR).user
    ).case
    rita = CohortMemberFactory(cohort=home_a).user
    omar = CohortMemberFactory(cohort=away_cohort).user
    play(rita, REFERENCE)
    play(rita, SWAB, on=private)
    play(omar, REFERENCE)
    play(rita, SWAB, assignment=AssignmentFactory(cohort=home_a, cases=[case]))
    # rita moves cohort, then also joins the away program; omar plays away's homework.
    cohort_member_remove(member=CohortMember.objects.get(cohort=home_a, user=rita))
    CohortMemberFactory(cohort=home_b, user=rita)
    play(rita, REFERENCE)
    CohortMemberFactory(cohort=away_cohort, user=rita)
    play(rita, SWAB)
    # On both programs now: home's private case and home's homework stay home's.
    play(rita, REFERENCE, on=private)
    play(rita, REFERENCE, assignment=AssignmentFactory(cohort=home_b, cases=[case]))
    play(omar, REFERENCE, assignment=AssignmentFactory(cohort=away_cohort, cases=[case]))
    # An attempt finished before anyone enrolled its player.
    play(MembershipFactory(program=away, role=Role.INSTRUCTOR).user, REFERENCE)
    assert CountedScore.objects.exists()
    assert_stored_equals_recount()


def test_a_rescore_is_counted_as_the_score_was(
    play: Any, program: Any, resident: Any, cohort: Any
) -> None:
    attempt = play(resident, REFERENCE)
    Score.objects.filter(attempt=attempt).update(rubric_version=0)
    CountedScore.objects.all().delete()
    # Enrolment changed after the attempt finished: it must not count now.
    cohort_member_remove(member=CohortMember.objects.get(cohort=cohort, user=resident))
    CohortMemberFactory(cohort=CohortFactory(program=program), user=resident)
    call_command("rescore", stdout=StringIO())
    assert_stored_equals_recount()
    assert program_scores(program, cohort).count() == 1
