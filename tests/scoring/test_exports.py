"""CSV and xAPI exports for a cohort or an assignment."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from scoring.exports import safe
from scoring.models import Cohort
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


def rows(response: Any) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_the_cohort_csv_has_a_row_per_attempt_and_a_column_per_step(
    client: Client, director: Any, cohort: Cohort, resident: Any, case: Any, play: Any
) -> None:
    assignment = AssignmentFactory(cohort=cohort, cases=[case], title="Week 1")
    first = play(resident, CRP, assignment=assignment)
    second = play(resident, SWAB)
    play(CohortMemberFactory(cohort=CohortFactory(), user__username="elsewhere").user)
    client.force_login(director)
    response = client.get(f"/cohorts/{cohort.pk}/scores.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="northfield-pgy-1-2026-scores.csv"'
    )
    found = rows(response)
    assert list(found[0])[-2:] == ["step:test-algorithm/radiograph", "step:test-algorithm/culture"]
    assert [
        (
            r["attempt"],
            r["username"],
            r["case"],
            r["assignment"],
            r["score"],
            r["step:test-algorithm/radiograph"],
            r["step:test-algorithm/culture"],
        )
        for r in found
    ] == [
        (str(first.pk), "rita", "test-case", "Week 1", "57", "on_time", "missed"),
        (str(second.pk), "rita", "test-case", "", "20", "missed", "late"),
    ]
    assert found[0]["finished_at"] == first.finished_at.isoformat()


def test_the_assignment_csv_has_only_the_assignments_attempts(
    client: Client, director: Any, cohort: Cohort, resident: Any, case: Any, play: Any
) -> None:
    assignment = AssignmentFactory(cohort=cohort, cases=[case])
    counted = play(resident, REFERENCE, assignment=assignment)
    play(resident, SWAB)
    client.force_login(director)
    found = rows(client.get(f"/assignments/{assignment.pk}/scores.csv"))
    assert [r["attempt"] for r in found] == [str(counted.pk)]


def test_a_removed_residents_attempts_stay_in_the_cohort_export(
    client: Client, director: Any, cohort: Cohort, resident: Any, play: Any
) -> None:
    play(resident, REFERENCE)
    cohort.members.update(removed_at=timezone.now())
    play(resident, SWAB)  # after leaving the cohort: not the cohort's
    client.force_login(director)
    assert [r["score"] for r in rows(client.get(f"/cohorts/{cohort.pk}/scores.csv"))] == ["100"]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("rita", "rita"),
        (None, ""),
        (42, "42"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_defused(value: object, cell: str) -> None:
    assert safe(value) == cell


def test_a_formula_in_a_name_is_defused_in_the_export(
    client: Client, director: Any, cohort: Cohort, resident: Any, play: Any
) -> None:
    resident.first_name = "=cmd|' /C calc'!A0"
    resident.save()
    play(resident, REFERENCE)
    client.force_login(director)
    (row,) = rows(client.get(f"/cohorts/{cohort.pk}/scores.csv"))
    assert row["name"].startswith("'=cmd")


@pytest.mark.parametrize(
    "path",
    [
        "/cohorts/{cohort}/scores.csv",
        "/assignments/{assignment}/scores.csv",
        "/cohorts/{cohort}/xapi.json",
    ],
)
def test_export_query_counts_do_not_grow_with_residents_or_attempts(
    client: Client,
    director: Any,
    cohort: Cohort,
    resident: Any,
    case: Any,
    play: Any,
    django_assert_num_queries: Any,
    path: str,
) -> None:
    assignment = AssignmentFactory(cohort=cohort, cases=[case])
    play(resident, REFERENCE, assignment=assignment)
    path = path.format(cohort=cohort.pk, assignment=assignment.pk)
    client.force_login(director)
    before = queries_for(client, path)
    for n in range(4):
        user = CohortMemberFactory(cohort=cohort, user__username=f"x{n}").user
        play(user, CRP, assignment=assignment)
        play(user, SWAB, assignment=assignment)
    with django_assert_num_queries(before):
        response = client.get(path)
        if response.streaming:
            assert len(rows(response)) == 9


@pytest.mark.parametrize(
    ("path", "content_type", "filename"),
    [
        (
            "/cohorts/{cohort}/scores.csv",
            "text/csv; charset=utf-8",
            "northfield-pgy-1-2026-scores.csv",
        ),
        ("/cohorts/{cohort}/xapi.json", "application/json", "northfield-pgy-1-2026-xapi.json"),
        (
            "/assignments/{assignment}/scores.csv",
            "text/csv; charset=utf-8",
            "pgy-1-2026-week-1-scores.csv",
        ),
        ("/assignments/{assignment}/xapi.json", "application/json", "pgy-1-2026-week-1-xapi.json"),
    ],
)
def test_each_download_is_named_for_what_it_exports(
    client: Client,
    director: Any,
    cohort: Cohort,
    case: Any,
    path: str,
    content_type: str,
    filename: str,
) -> None:
    assignment = AssignmentFactory(cohort=cohort, cases=[case], title="Week 1")
    client.force_login(director)
    response = client.get(path.format(cohort=cohort.pk, assignment=assignment.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.streaming == filename.endswith(".csv")


def test_a_title_with_nothing_to_slugify_still_names_the_file(
    client: Client, director: Any, cohort: Cohort
) -> None:
    assignment = AssignmentFactory(
        cohort=CohortFactory(program=cohort.program, name="*"), title="!"
    )
    client.force_login(director)
    response = client.get(f"/assignments/{assignment.pk}/xapi.json")
    assert response["Content-Disposition"] == 'attachment; filename="assignment-xapi.json"'


def test_the_assignment_xapi_download_has_only_the_assignments_statements(
    client: Client, director: Any, cohort: Cohort, resident: Any, case: Any, play: Any
) -> None:
    assignment = AssignmentFactory(cohort=cohort, cases=[case])
    counted = play(resident, REFERENCE, assignment=assignment)
    play(resident, SWAB)
    client.force_login(director)
    statements = json.loads(client.get(f"/assignments/{assignment.pk}/xapi.json").content)
    assert len(statements) == 4  # the attempt and its three decisions
    assert statements[0]["timestamp"] == counted.finished_at.isoformat()


def test_the_xapi_download_has_the_cohorts_statements(
    client: Client, director: Any, cohort: Cohort, resident: Any, play: Any, other_resident: Any
) -> None:
    attempt = play(resident, REFERENCE)
    play(other_resident, REFERENCE)
    client.force_login(director)
    response = client.get(f"/cohorts/{cohort.pk}/xapi.json")
    assert response["Content-Type"] == "application/json"
    statements = json.loads(response.content)
    # One for the attempt, one per decision (three).
    assert len(statements) == 4
    assert {s["actor"]["account"]["name"] for s in statements} == {"rita"}
    completed = statements[0]
    assert completed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert completed["result"]["score"] == {"scaled": 1.0, "raw": 100, "min": 0, "max": 100}
    assert completed["timestamp"] == attempt.finished_at.isoformat()
