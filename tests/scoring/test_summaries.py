"""The summaries the program pages read (scoring.summaries) are kept with
each score; they must always equal a recount from the stored scores, and
give the pages the figures the aggregate queries over every score gave
(tests/scoring/recount.py), whatever happened: plays over weeks, residents
removed from cohorts and added back, assignment rules changed, scores
deleted and rescored, accounts deleted."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from cases.models import Case
from scoring import summaries
from scoring.assignments import counted_scores
from scoring.dashboard import dashboard_for, mastery_grid
from scoring.item_analysis import item_analysis
from scoring.models import Assignment, CohortMember, CountedScore, Counts, Score, ScoreTally
from scoring.roster import cohort_member_add, cohort_member_remove
from scoring.rubric import RUBRIC_VERSION
from simulator.accounts.models import Program, Role
from simulator.models import Attempt
from simulator.services import attempt_choose, attempt_start
from tests.factories import (
    CRP,
    REFERENCE,
    SWAB,
    AssignmentFactory,
    AttemptFactory,
    CaseVersionFactory,
    CohortFactory,
    CohortMemberFactory,
    MembershipFactory,
    ProgramFactory,
    UserFactory,
    import_test_content,
    the_test_case,
)
from tests.scoring import recount

PATHS = [REFERENCE, SWAB, CRP]
START = timezone.now() - timedelta(days=120)


def assert_summaries_equal_a_recount() -> None:
    """Every stored summary row equals the recount, and every program page
    shows what the aggregate queries over every score show."""
    assert summaries.stored() == summaries.recounted()
    for program in Program.objects.all():
        for cohort in [None, *program.cohorts.all()]:
            d = dashboard_for(program, cohort)
            slow = recount.dashboard(program, cohort)
            assert (d.attempts, d.mean_score, d.critical_attempts) == (
                slow["attempts"],
                slow["mean_score"],
                slow["critical_attempts"],
            ), (program, cohort)
            assert [b["count"] for b in d.distribution] == slow["distribution"]
            assert d.trend == slow["trend"]
            assert d.harms == slow["harms"]
            assert [s.pk for s in d.latest] == slow["latest"]
            if cohort is not None:
                assert_mastery_equals_a_recount(cohort)
        assignments = list(Assignment.objects.filter(cohort__program=program))
        assert counted_scores(assignments) == recount.counted_scores(assignments)
        for case in Case.objects.filter(versions__attempts__isnull=False).distinct():
            assert_items_equal_a_recount(program, case)


def assert_mastery_equals_a_recount(cohort: Any) -> None:
    grid = mastery_grid(cohort)
    columns, cells = recount.mastery(cohort)
    assert [(c.algorithm, c.step, c.title) for c in grid.columns] == columns
    for row in grid.rows[1:]:
        for column, cell in row.pairs:
            expected = cells.get((row.user_id, column.algorithm, column.step), (0, 0))
            assert (cell.attempts, cell.missed) == expected


def assert_items_equal_a_recount(program: Any, case: Any) -> None:
    analysis = item_analysis(program, case, None)
    slow = recount.items(program, case)
    assert (analysis.versions, analysis.version.pk, analysis.attempts) == (
        slow["versions"],
        slow["version"],
        slow["attempts"],
    )
    for item in analysis.items:
        stage = slow["per_stage"].get(item.stage, {"attempts": 0, "correct": 0, "picks": {}})
        assert (item.attempts, item.correct) == (stage["attempts"], stage["correct"])
        if item.scored and item.discrimination is not None:
            assert item.discrimination == pytest.approx(stage["discrimination"])
        for option in item.options:
            assert (option.chosen, option.verdict) == stage["picks"].get(option.key, (0, ""))


# --- any history -------------------------------------------------------------------------

RESIDENTS = 3
# A resident plays a path, for an assignment or not, on the bundled-like test
# case or the home program's own case, some days after the last step.
PLAY = st.tuples(
    st.just("play"),
    st.integers(0, RESIDENTS - 1),
    st.integers(0, len(PATHS) - 1),
    st.integers(-1, 2),  # an assignment, or none
    st.booleans(),  # the program's own case
    st.integers(0, 9),  # days later
)
OPERATION = st.one_of(
    PLAY,  # plays, three times as often as anything else
    PLAY,
    PLAY,
    st.tuples(st.just("remove"), st.integers(0, RESIDENTS - 1), st.integers(0, 2)),
    st.tuples(st.just("add"), st.integers(0, RESIDENTS - 1), st.integers(0, 2)),
    st.tuples(st.just("rule"), st.integers(0, 2), st.sampled_from(Counts.values)),
    # A score deleted and the attempt scored again by `manage.py rescore`.
    st.tuples(st.just("rescore"), st.integers(0, 40)),
    st.tuples(st.just("delete account"), st.integers(0, RESIDENTS - 1)),
)


class TestAnyHistory(TestCase):
    """Property: after any sequence of operations, the summaries equal a
    recount (and `rebuild_summaries` writes the same rows)."""

    @classmethod
    def setUpTestData(cls) -> None:
        with mock.patch.object(timezone, "now", lambda: START):
            cls.case = the_test_case()
            home, away = ProgramFactory(slug="home"), ProgramFactory(slug="away")
            cls.cohorts = [
                CohortFactory(program=home),
                CohortFactory(program=home),
                CohortFactory(program=away),
            ]
            author = MembershipFactory(program=home, role=Role.INSTRUCTOR).user
            cls.private = CaseVersionFactory(program=home, author=author).case
            cls.assignments = [
                AssignmentFactory(cohort=c, cases=[cls.case, cls.private], counts=rule)
                for c, rule in zip(cls.cohorts, Counts.values, strict=True)
            ]
            cls.residents = [UserFactory(username=f"r{n}") for n in range(RESIDENTS)]
            for n, user in enumerate(cls.residents):
                CohortMemberFactory(cohort=cls.cohorts[n % 3], user=user)

    @settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(OPERATION, min_size=3, max_size=14))
    def test_the_summaries_equal_a_recount_after_any_history(self, operations) -> None:
        now = [START + timedelta(days=1)]
        with mock.patch.object(timezone, "now", lambda: now[0]):
            for operation in operations:
                self.apply(operation, now)
            assert_summaries_equal_a_recount()
            before = summaries.stored()
            call_command("rebuild_summaries", stdout=StringIO())
            assert summaries.stored() == before

    def apply(self, operation: tuple, now: list) -> None:
        kind, *args = operation
        users = get_user_model().objects.filter(username__startswith="r")
        if kind == "play":
            who, path, assignment, private, days = args
            user = users.filter(username=f"r{who}").first()
            if user is None:
                return
            now[0] += timedelta(days=days, minutes=7)
            AttemptFactory(
                user=user,
                case_version=(self.private if private else self.case).published,
                choices=PATHS[path],
                assignment=self.assignments[assignment] if assignment >= 0 else None,
            )
        elif kind in ("remove", "add"):
            who, cohort = args
            user = users.filter(username=f"r{who}").first()
            if user is None:
                return
            now[0] += timedelta(hours=5)
            if kind == "add":
                cohort_member_add(cohort=self.cohorts[cohort], user=user)
            else:
                member = CohortMember.objects.filter(
                    cohort=self.cohorts[cohort], user=user, removed_at__isnull=True
                ).first()
                if member is not None:
                    cohort_member_remove(member=member)
        elif kind == "rule":
            index, rule = args
            Assignment.objects.filter(pk=self.assignments[index].pk).update(counts=rule)
        elif kind == "rescore":
            (which,) = args
            scores = list(Score.objects.order_by("pk"))
            if scores:
                scores[which % len(scores)].delete()
                call_command("rescore", stdout=StringIO())
        elif kind == "delete account":
            (who,) = args
            users.filter(username=f"r{who}").delete()


# --- writes and reads stay small ------------------------------------------------------------


@pytest.mark.django_db
def test_a_score_writes_each_summary_table_once_whatever_the_path(
    resident: Any, cohort: Any, bundled: None
) -> None:
    """Each summary table the score touches gets one statement, an upsert
    of all its rows, however many decisions the path had."""
    sarcoma = Case.objects.get(slug="calcified-deep-mass-sarcoma")
    assignment = AssignmentFactory(cohort=cohort, cases=[sarcoma])
    for path in (
        [["excise"], ["mdt"]],
        [
            ["mri_first"],
            ["xray_now"],
            ["us"],
            ["mri_contrast"],
            ["watch"],
            ["excise"],
            ["reexcise"],
        ],
    ):
        attempt = attempt_start(user=resident, case=sarcoma, mode="practice", assignment=assignment)
        for seq, options in enumerate(path[:-1]):
            attempt_choose(attempt=attempt, seq=seq, options=options)
        with CaptureQueriesContext(connection) as captured:
            attempt_choose(attempt=attempt, seq=len(path) - 1, options=path[-1])
        summary_tables = {f'"{t.model._meta.db_table}"' for t in summaries.TABLES}
        written = [q["sql"].split()[2] for q in captured.captured_queries if "INSERT" in q["sql"]]
        tables = [t for t in written if t in summary_tables]
        assert len(tables) == len(set(tables))  # one statement per table
        # The score, the step, decision and pick tallies and the assignment's
        # counted attempt at least; the harms when the path did harm.
        assert 5 <= len(tables) <= len(summaries.TABLES)
    assert_summaries_equal_a_recount()


@pytest.mark.django_db
def test_the_pages_read_a_fixed_number_of_queries_as_attempts_grow(
    program: Any, cohort: Any, resident: Any, case: Any, play: Any, django_assert_num_queries: Any
) -> None:
    assignment = AssignmentFactory(cohort=cohort, cases=[case])
    play(resident, REFERENCE, assignment=assignment)
    pages = [
        lambda: dashboard_for(program),
        lambda: dashboard_for(program, cohort),
        lambda: mastery_grid(cohort),
        lambda: item_analysis(program, case, None),
        lambda: counted_scores([assignment]),
    ]
    counts = []
    for page in pages:
        with CaptureQueriesContext(connection) as captured:
            page()
        counts.append(len(captured))
    for n in range(6):
        user = CohortMemberFactory(cohort=cohort, user__username=f"more{n}").user
        play(user, PATHS[n % 3], assignment=assignment)
        play(user, PATHS[(n + 1) % 3])
    assert Attempt.objects.count() == 13
    for page, count in zip(pages, counts, strict=True):
        with django_assert_num_queries(count):
            page()
    assert_summaries_equal_a_recount()


# --- a bulk load, a deleted account ---------------------------------------------------------


@pytest.mark.django_db
def test_rows_written_behind_the_services_back_are_found_and_rebuilt(
    program: Any, cohort: Any, resident: Any, play: Any
) -> None:
    play(resident, REFERENCE)
    play(resident, SWAB)
    ScoreTally.objects.all().delete()  # as after a bulk load that skipped them
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="differ from a recount"):
        call_command("rebuild_summaries", "--check", stdout=out, stderr=err)
    assert "ScoreTally" in err.getvalue()
    call_command("rebuild_summaries", stdout=out)
    # Two bins (100 and 20), for the program and for the cohort.
    assert "ScoreTally 4 rows" in out.getvalue()
    call_command("rebuild_summaries", "--check", stdout=out)
    assert "The summaries equal a recount." in out.getvalue()
    assert_summaries_equal_a_recount()


@pytest.mark.django_db
def test_an_account_deleted_takes_its_scores_out_of_the_summaries(
    program: Any, cohort: Any, resident: Any, case: Any, play: Any
) -> None:
    assignment = AssignmentFactory(cohort=cohort, cases=[case], counts=Counts.FIRST)
    stays = CohortMemberFactory(cohort=cohort, user__username="stays").user
    play(resident, REFERENCE, assignment=assignment)
    play(stays, SWAB, assignment=assignment)
    play(stays, REFERENCE, assignment=assignment)
    first = Score.objects.filter(attempt__user=stays).order_by("pk").first()
    first.delete()  # the counted first attempt: the next one counts now
    assert [r["score"] for r in counted_scores([assignment]) if r["user"] == stays.pk] == [100]
    resident.delete()
    assert dashboard_for(program).attempts == 1
    assert_summaries_equal_a_recount()


# --- two residents finishing at once --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_residents_finishing_at_once_are_both_counted() -> None:
    """Two transactions reach the same summary rows at once (a barrier holds
    each just before its upserts, with its score stored): the second waits
    for the first to commit and adds to it; neither fails nor is lost. A read
    of the row followed by an insert or update would do one or the other."""
    import_test_content()
    case = the_test_case()
    program = ProgramFactory(slug="together")
    cohort = CohortFactory(program=program)
    assignment = AssignmentFactory(cohort=cohort, cases=[case])
    attempts = []
    for name in ("ada", "bo"):
        user = CohortMemberFactory(cohort=cohort, user__username=name).user
        attempt = attempt_start(user=user, case=case, mode="practice", assignment=assignment)
        for seq, options in enumerate(REFERENCE[:-1]):
            attempt_choose(attempt=attempt, seq=seq, options=options)
        attempts.append(attempt)
    # On PostgreSQL both writers meet just before their upserts. SQLite takes the
    # write lock at BEGIN (IMMEDIATE), so the second waits there, before any
    # barrier: each passes alone, and the two finishes still run at once.
    barrier = threading.Barrier(2 if connection.vendor == "postgresql" else 1, timeout=20)
    original = summaries.score_added
    errors: list[BaseException] = []

    def together(facts: summaries.Facts) -> None:
        barrier.wait()
        original(facts)

    def finish(attempt: Attempt) -> None:
        try:
            attempt_choose(attempt=attempt, seq=len(REFERENCE) - 1, options=REFERENCE[-1])
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    with mock.patch.object(summaries, "score_added", together):
        threads = [threading.Thread(target=finish, args=(a,)) for a in attempts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
    assert CountedScore.objects.filter(program=program, cohort=None).count() == 2
    tally = ScoreTally.objects.get(program=program, cohort=None, rubric_version=RUBRIC_VERSION)
    assert (tally.attempts, tally.score_sum) == (2, 200)
    assert summaries.stored() == summaries.recounted()
    assert len(counted_scores([assignment])) == 2
