"""The program dashboard and the mastery grid, on a small dataset whose
figures are worked out by hand, and their query counts."""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from cases.models import Case
from scoring.dashboard import dashboard_for, mastery_grid
from scoring.models import Cohort
from scoring.rubric import RUBRIC_VERSION
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


@pytest.fixture
def played(cohort: Cohort, resident: Any, case: Any, play: Any) -> dict[str, Any]:
    """rita plays the reference path (100), sam CRP only (57), ann MRI and a swab (20).

    Steps: radiograph met by rita and sam, missed by ann; culture met by rita
    and ann, missed by sam.
    """
    sam = CohortMemberFactory(cohort=cohort, user__username="sam").user
    ann = CohortMemberFactory(cohort=cohort, user__username="ann").user
    assignment = AssignmentFactory(cohort=cohort, cases=[case], title="Week 1", pass_mark=70)
    play(resident, REFERENCE, assignment=assignment)
    play(sam, CRP, assignment=assignment)
    play(ann, SWAB, assignment=assignment)
    return {"rita": resident, "sam": sam, "ann": ann, "assignment": assignment}


def test_the_dashboard_figures_for_a_known_dataset(
    program: Any, cohort: Cohort, played: dict[str, Any]
) -> None:
    d = dashboard_for(program)
    assert (d.residents, d.attempts, d.mean_score, d.critical_attempts) == (3, 3, 59.0, 0)
    assert [b["count"] for b in d.distribution] == [0, 0, 1, 0, 0, 1, 0, 0, 0, 1]
    assert d.distribution[9]["label"] == "90–100"
    (row,) = d.assignments
    assert (row.residents, row.done, row.passed, row.late, row.done_percent) == (3, 3, 1, 0, 100)
    assert row.mean_score == 59.0
    (week,) = d.trend
    assert (week["attempts"], week["mean"], week["critical"]) == (3, 59.0, 0)


def test_the_dashboard_page_shows_charts_and_the_same_figures_as_tables(
    client: Client, director: Any, played: dict[str, Any]
) -> None:
    client.force_login(director)
    html = client.get("/programs/northfield/").content.decode()
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html
    charts = json.loads(
        re.search(
            r'<script id="program-charts" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert [b["count"] for b in charts["distribution"]] == [0, 0, 1, 0, 0, 1, 0, 0, 0, 1]
    assert charts["completion"] == [{"title": "Week 1", "done": 100}]
    assert "<td>20–29</td><td>1</td>" in html
    assert re.search(r"Week 1</a></th>\s*<td>PGY-1 2026</td>", html)
    assert "<td>3 (100%)</td>" in html
    assert "style=" not in html  # the CSP forbids inline styles


def test_the_dashboard_can_be_narrowed_to_one_cohort(
    client: Client, director: Any, program: Any, played: dict[str, Any], play: Any
) -> None:
    other = CohortFactory(program=program, name="PGY-2 2026")
    CohortMemberFactory(cohort=other, user__username="zed")
    play(other.members.get().user, REFERENCE)
    assert dashboard_for(program).attempts == 4  # every resident of the program
    d = dashboard_for(program, other)
    assert (d.residents, d.attempts, d.mean_score) == (1, 1, 100.0)
    assert d.assignments == []


def test_critical_errors_are_counted_by_harm(
    program: Any, cohort: Cohort, resident: Any, play: Any
) -> None:
    call_command("import_content", "cases/content", stdout=StringIO(), stderr=StringIO())
    sarcoma = Case.objects.get(slug="calcified-deep-mass-sarcoma")
    play(resident, [["excise"], ["mdt"]], on=sarcoma)
    d = dashboard_for(program)
    assert d.critical_attempts == 1
    assert d.harms[0]["attempts"] == 1
    assert "excis" in d.harms[0]["harm"]


def test_the_mastery_grid_shows_which_steps_the_cohort_misses(
    cohort: Cohort, played: dict[str, Any]
) -> None:
    grid = mastery_grid(cohort)
    assert [(c.step, c.title) for c in grid.columns] == [
        ("radiograph", "Plain radiograph first"),
        ("culture", "Culture deep tissue"),
    ]
    table = {row.name: [(c.attempts, c.met_percent) for c in row.cells] for row in grid.rows}
    assert table == {
        "Whole cohort": [(3, 67), (3, 67)],
        "rita": [(1, 100), (1, 100)],
        "sam": [(1, 100), (1, 0)],
        "ann": [(1, 0), (1, 100)],
    }
    assert grid.rows[0].name == "Whole cohort"


def test_a_grid_cell_drills_down_to_the_attempts_behind_it(
    client: Client, director: Any, cohort: Cohort, played: dict[str, Any]
) -> None:
    client.force_login(director)
    html = client.get(f"/cohorts/{cohort.pk}/mastery/").content.decode()
    sam = played["sam"]
    link = f"/cohorts/{cohort.pk}/mastery/test-algorithm/culture/?resident={sam.pk}"
    assert f'href="{link}"' in html
    cell = client.get(link).content.decode()
    assert "Culture deep tissue" in cell
    # Each row opens that attempt's debrief, read-only.
    assert re.search(r'/review/">sam</a></th>\s*<td>A lump on the foot</td>', cell)
    assert "Missed" in cell
    assert "rita" not in cell.split("<table>")[1]
    whole = client.get(f"/cohorts/{cohort.pk}/mastery/test-algorithm/culture/").content.decode()
    assert all(name in whole for name in ("rita", "sam", "ann"))


def test_a_drill_down_for_someone_not_on_the_cohort_is_404(
    client: Client, director: Any, cohort: Cohort, other_resident: Any, played: dict[str, Any]
) -> None:
    client.force_login(director)
    path = f"/cohorts/{cohort.pk}/mastery/test-algorithm/culture/?resident={other_resident.pk}"
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/programs/northfield/",
        "/cohorts/{cohort}/",
        "/cohorts/{cohort}/mastery/",
        "/cohorts/{cohort}/mastery/test-algorithm/culture/",
        "/assignments/{assignment}/",
    ],
)
def test_query_counts_do_not_grow_with_residents_or_attempts(
    client: Client,
    director: Any,
    cohort: Cohort,
    played: dict[str, Any],
    play: Any,
    django_assert_num_queries: Any,
    path: str,
) -> None:
    path = path.format(cohort=cohort.pk, assignment=played["assignment"].pk)
    client.force_login(director)
    before = queries_for(client, path)
    for n in range(4):
        user = CohortMemberFactory(cohort=cohort, user__username=f"extra{n}").user
        play(user, CRP, assignment=played["assignment"])
        play(user, SWAB)
    assert Attempt.objects.count() == 11
    with django_assert_num_queries(before):
        client.get(path)


def test_program_pages_say_which_rubric_their_scores_are_counted_under(
    client: Client, director: Any, cohort: Cohort, played: dict[str, Any]
) -> None:
    client.force_login(director)
    for url in ("/programs/northfield/", f"/cohorts/{cohort.pk}/mastery/"):
        html = client.get(url).content.decode()
        assert f"Scores under rubric v{RUBRIC_VERSION}" in html, url


def test_charts_without_enough_data_give_way_to_a_sentence(
    client: Client, director: Any, cohort: Cohort, resident: Any, case: Any, play: Any
) -> None:
    AssignmentFactory(cohort=cohort, cases=[case], title="Week 2")
    play(resident, CRP)  # from Cases, not for the assignment
    client.force_login(director)
    html = client.get("/programs/northfield/").content.decode()
    assert 'id="completion-chart"' not in html
    assert "No resident has finished an assignment yet" in html
    assert 'id="trend-chart"' not in html
    assert "One week of attempts so far" in html
    assert "1 attempt, mean score 57.0" in html
    assert 'id="distribution-chart"' in html  # one attempt is already a distribution


def test_the_dashboard_lists_the_latest_attempts_each_opening_its_review(
    client: Client, director: Any, played: dict[str, Any]
) -> None:
    client.force_login(director)
    html = client.get("/programs/northfield/").content.decode()
    latest = html[html.index('id="latest-title"') :]
    reviews = re.findall(r'href="/attempts/(\d+)/review/">(\w+)</a>', latest)
    assert [name for _, name in reviews] == ["ann", "sam", "rita"]  # newest first
    for pk, _ in reviews:
        assert client.get(f"/attempts/{pk}/review/").status_code == 200
    assert '<h3 id="cohort-create-title">Create a cohort</h3>' in html
