"""Assignments: creating them, starting a case from one, which attempt counts,
and what a resident sees on their home page (due, late, passed)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from scoring.assignments import State, counted_scores, resident_assignments
from scoring.models import Assignment, Cohort, Counts, Mode
from simulator.models import Attempt
from tests.factories import (
    CRP,
    REFERENCE,
    SWAB,
    AssignmentFactory,
    CohortFactory,
    CohortMemberFactory,
)
from tests.scoring.conftest import queries_for

pytestmark = pytest.mark.django_db

FORM = "%Y-%m-%dT%H:%M"


def test_a_director_assigns_cases_to_a_cohort(
    client: Client, director: Any, cohort: Cohort, case: Any
) -> None:
    client.force_login(director)
    page = client.get(f"/cohorts/{cohort.pk}/assignments/new/").content.decode()
    version = case.published
    # What a director weighs: each case's level and time, and a pass mark in percent.
    assert f"A lump on the foot — {version.difficulty}, about {version.minutes} min" in page
    assert "Pass mark (%)" in page
    opens = timezone.now().replace(second=0, microsecond=0)
    response = client.post(
        f"/cohorts/{cohort.pk}/assignments/new/",
        {
            "title": "Week 1",
            "cases": [case.pk],
            "opens_at": opens.strftime(FORM),
            "due_at": (opens + timedelta(days=7)).strftime(FORM),
            "mode": Mode.ASSESSMENT,
            "pass_mark": 60,
            "counts": Counts.FIRST,
        },
    )
    assignment = Assignment.objects.get()
    assert response["Location"] == f"/assignments/{assignment.pk}/"
    assert (assignment.cohort, assignment.mode, assignment.pass_mark, assignment.counts) == (
        cohort,
        Mode.ASSESSMENT,
        60,
        Counts.FIRST,
    )
    assert list(assignment.cases.all()) == [case]
    assert assignment.due_at - assignment.opens_at == timedelta(days=7)


def test_an_assignment_must_be_due_after_it_opens(
    client: Client, director: Any, cohort: Cohort, case: Any
) -> None:
    client.force_login(director)
    now = timezone.now()
    response = client.post(
        f"/cohorts/{cohort.pk}/assignments/new/",
        {
            "title": "Backwards",
            "cases": [case.pk],
            "opens_at": now.strftime(FORM),
            "due_at": (now - timedelta(days=1)).strftime(FORM),
            "mode": Mode.PRACTICE,
            "pass_mark": 70,
            "counts": Counts.BEST,
        },
    )
    assert response.status_code == 400
    assert "The due date must be after the opening date." in response.content.decode()
    assert not Assignment.objects.exists()


def test_another_programs_case_cannot_be_assigned(
    client: Client, director: Any, cohort: Cohort, case: Any, other_program: Any
) -> None:
    case.program = other_program
    case.save()
    client.force_login(director)
    assert (
        "A lump on the foot"
        not in client.get(f"/cohorts/{cohort.pk}/assignments/new/").content.decode()
    )


def test_a_director_edits_an_assignment(
    client: Client, director: Any, cohort: Cohort, case: Any
) -> None:
    assignment = AssignmentFactory(cohort=cohort, cases=[case], title="Week 1")
    client.force_login(director)
    response = client.post(
        f"/assignments/{assignment.pk}/edit/",
        {
            "title": "Week 1 (extended)",
            "cases": [case.pk],
            "opens_at": assignment.opens_at.strftime(FORM),
            "due_at": (assignment.due_at + timedelta(days=3)).strftime(FORM),
            "mode": Mode.PRACTICE,
            "pass_mark": 50,
            "counts": Counts.LAST,
        },
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.title, assignment.pass_mark, assignment.counts) == (
        "Week 1 (extended)",
        50,
        Counts.LAST,
    )


def test_editing_an_assignment_sets_its_cases(
    client: Client, director: Any, cohort: Cohort, case: Any
) -> None:
    assignment = AssignmentFactory(cohort=cohort, cases=[], title="Week 1")
    client.force_login(director)
    response = client.post(
        f"/assignments/{assignment.pk}/edit/",
        {
            "title": "Week 1",
            "cases": [case.pk],
            "opens_at": assignment.opens_at.strftime(FORM),
            "due_at": assignment.due_at.strftime(FORM),
            "mode": Mode.PRACTICE,
            "pass_mark": 70,
            "counts": Counts.BEST,
        },
    )
    assert response.status_code == 302
    assert list(assignment.cases.all()) == [case]


# --- starting a case from an assignment ------------------------------------------------


def test_an_assignment_forces_its_mode(
    client: Client, resident: Any, cohort: Cohort, case: Any
) -> None:
    assignment = AssignmentFactory(cohort=cohort, cases=[case], mode=Mode.ASSESSMENT)
    client.force_login(resident)
    client.post("/cases/test-case/start/", {"mode": Mode.PRACTICE, "assignment": assignment.pk})
    attempt = Attempt.objects.get()
    assert (attempt.assignment, attempt.mode) == (assignment, Mode.ASSESSMENT)


@pytest.mark.parametrize(
    "why", ["not open yet", "not on the cohort", "removed", "other case", "junk"]
)
def test_a_resident_cannot_start_an_assignment_that_is_not_theirs(
    client: Client, resident: Any, cohort: Cohort, case: Any, program: Any, why: str
) -> None:
    assignment = AssignmentFactory(cohort=cohort, cases=[case])
    value: Any = assignment.pk
    if why == "not open yet":
        assignment.opens_at = timezone.now() + timedelta(days=1)
        assignment.due_at = timezone.now() + timedelta(days=2)
        assignment.save()
    elif why == "not on the cohort":
        assignment.cohort = CohortFactory(program=program)
        assignment.save()
    elif why == "removed":
        cohort.members.update(removed_at=timezone.now())
    elif why == "other case":
        assignment.cases.clear()
    else:
        value = "1; drop table"
    client.force_login(resident)
    response = client.post("/cases/test-case/start/", {"assignment": value})
    assert response.status_code == 404
    assert not Attempt.objects.exists()


# --- which attempt counts ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"), [(Counts.FIRST, 57), (Counts.BEST, 100), (Counts.LAST, 20)]
)
def test_the_first_best_or_last_attempt_counts(
    resident: Any, cohort: Cohort, case: Any, play: Any, counts: Counts, expected: int
) -> None:
    assignment = AssignmentFactory(cohort=cohort, cases=[case], counts=counts)
    now = timezone.now()
    for days_ago, path in ((3, CRP), (2, REFERENCE), (1, SWAB)):  # 57, then 100, then 20
        play(resident, path, assignment=assignment, finished_at=now - timedelta(days=days_ago))
    play(resident, REFERENCE)  # outside the assignment: never counts
    rows = counted_scores([assignment])
    assert [r["score"] for r in rows] == [expected]


def test_the_earliest_of_two_equal_best_scores_counts(
    resident: Any, cohort: Cohort, case: Any, play: Any
) -> None:
    assignment = AssignmentFactory(cohort=cohort, cases=[case], counts=Counts.BEST)
    now = timezone.now()
    early = play(resident, REFERENCE, assignment=assignment, finished_at=now - timedelta(days=2))
    play(resident, REFERENCE, assignment=assignment, finished_at=now - timedelta(days=1))
    assert [r["attempt"] for r in counted_scores([assignment])] == [early.pk]


def test_each_resident_and_case_get_their_own_counted_attempt(
    resident: Any, cohort: Cohort, case: Any, play: Any
) -> None:
    second = CohortMemberFactory(cohort=cohort).user
    assignment = AssignmentFactory(cohort=cohort, cases=[case], counts=Counts.BEST)
    play(resident, CRP, assignment=assignment)
    play(second, SWAB, assignment=assignment)
    play(second, CRP, assignment=assignment)
    scores = {r["user"]: r["score"] for r in counted_scores([assignment])}
    assert scores == {resident.pk: 57, second.pk: 57}


def status_of(user: Any) -> Any:
    (status,) = resident_assignments(user)
    return status


def test_status_due_then_passed(resident: Any, cohort: Cohort, case: Any, play: Any) -> None:
    assignment = AssignmentFactory(cohort=cohort, cases=[case], pass_mark=70)
    assert status_of(resident).state is State.due
    play(resident, CRP, assignment=assignment)  # 57: below the pass mark
    status = status_of(resident)
    assert (status.state, status.done, status.late, status.passed) == (
        State.not_passed,
        True,
        False,
        False,
    )
    play(resident, REFERENCE, assignment=assignment)  # best counts: 100
    assert status_of(resident).state is State.passed


def test_status_overdue_then_done_late(resident: Any, cohort: Cohort, case: Any, play: Any) -> None:
    now = timezone.now()
    assignment = AssignmentFactory(
        cohort=cohort,
        cases=[case],
        opens_at=now - timedelta(days=10),
        due_at=now - timedelta(days=1),
    )
    status = status_of(resident)
    assert (status.state, status.late) == (State.overdue, True)
    play(resident, REFERENCE, assignment=assignment)
    status = status_of(resident)
    assert (status.state, status.late, status.passed) == (State.passed, True, True)


def test_status_upcoming(resident: Any, cohort: Cohort, case: Any) -> None:
    now = timezone.now()
    AssignmentFactory(
        cohort=cohort,
        cases=[case],
        opens_at=now + timedelta(days=1),
        due_at=now + timedelta(days=8),
    )
    assert status_of(resident).state is State.upcoming


def test_a_removed_residents_attempts_no_longer_count(
    resident: Any, cohort: Cohort, case: Any, play: Any
) -> None:
    assignment = AssignmentFactory(cohort=cohort, cases=[case])
    play(resident, REFERENCE, assignment=assignment)
    cohort.members.update(removed_at=timezone.now())
    assert counted_scores([assignment]) == []
    assert resident_assignments(resident) == []


# --- the resident's home page -------------------------------------------------------------


def home(client: Client) -> str:
    return client.get("/").content.decode()


def test_assignments_come_first_on_the_residents_home_page(
    client: Client, resident: Any, cohort: Cohort, case: Any, play: Any
) -> None:
    now = timezone.now()
    late = AssignmentFactory(
        cohort=cohort,
        cases=[case],
        title="Foot week",
        opens_at=now - timedelta(days=9),
        due_at=now - timedelta(days=2),
    )
    AssignmentFactory(
        cohort=cohort, cases=[case], title="Next week", due_at=now + timedelta(days=5)
    )
    client.force_login(resident)
    html = home(client)
    assert html.index("Your assignments") < html.index('id="role-resident"')
    assert re.search(r"Foot week</h3>\s*<p>\s*<span class=\"badge badge--overdue\">Overdue", html)
    assert 'badge--due">Due</span>' in html
    # The start button carries the assignment.
    assert f'name="assignment" value="{late.pk}"' in html

    play(resident, REFERENCE, assignment=late)
    html = home(client)
    assert 'badge--passed">Passed</span>' in html
    assert 'badge--late">Late</span>' in html
    assert "score 100 — passed (late)" in html
    # Still to do comes before what is done.
    assert html.index("Next week") < html.index("Foot week")


def test_an_unfinished_assignment_attempt_offers_resume(
    client: Client, resident: Any, cohort: Cohort, case: Any
) -> None:
    assignment = AssignmentFactory(cohort=cohort, cases=[case])
    client.force_login(resident)
    client.post("/cases/test-case/start/", {"assignment": assignment.pk})
    attempt = Attempt.objects.get()
    assert f'href="/attempts/{attempt.pk}/">Resume</a>' in home(client)


def test_the_home_page_query_count_does_not_grow_with_assignments_or_attempts(
    client: Client,
    resident: Any,
    cohort: Cohort,
    case: Any,
    play: Any,
    django_assert_num_queries: Any,
) -> None:
    first = AssignmentFactory(cohort=cohort, cases=[case])
    play(resident, REFERENCE, assignment=first)
    client.force_login(resident)
    before = queries_for(client, "/")
    for _ in range(3):
        more = AssignmentFactory(cohort=cohort, cases=[case])
        play(resident, CRP, assignment=more)
        play(resident, SWAB, assignment=first)
    with django_assert_num_queries(before):
        client.get("/")


def test_the_assignment_page_shows_each_residents_standing(
    client: Client, director: Any, resident: Any, cohort: Cohort, case: Any, play: Any
) -> None:
    CohortMemberFactory(cohort=cohort, user__username="sam")
    assignment = AssignmentFactory(cohort=cohort, cases=[case], pass_mark=70)
    play(resident, CRP, assignment=assignment)
    client.force_login(director)
    html = client.get(f"/assignments/{assignment.pk}/").content.decode()
    assert "1 of 2 (passed 0, late 0)" in html
    assert re.search(
        r"rita</th>\s*<td><a href=\"/attempts/\d+/review/\">57</a></td>\s*"
        r"<td><span class=\"badge badge--not_passed\">Not passed",
        html,
    )
    assert re.search(
        r"sam</th>\s*<td><span class=\"muted\">not done</span></td>\s*<td><span class=\"badge badge--due\">Due",
        html,
    )
