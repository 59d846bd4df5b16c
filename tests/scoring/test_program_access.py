"""Who may open the program pages, beyond the authorization matrix
(tests/security/), which already refuses every role of another program and
someone in no program: here the program's own resident and instructor are
refused the director's pages, and the director may open every one."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from simulator.accounts.models import Role
from tests.factories import AssignmentFactory, CohortFactory, CohortMemberFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(program: Any, case: Any, resident: Any) -> dict[str, Any]:
    cohort = CohortFactory(program=program, name="PGY-1 2026")
    member = CohortMemberFactory(cohort=cohort, user=resident)
    assignment = AssignmentFactory(cohort=cohort, cases=[case])
    return {"cohort": cohort, "member": member, "assignment": assignment, "case": case}


DIRECTOR_PAGES = [
    ("get", "/programs/northfield/"),
    ("post", "/programs/northfield/cohorts/"),
    ("get", "/cohorts/{cohort}/"),
    ("post", "/cohorts/{cohort}/members/add/"),
    ("post", "/cohorts/{cohort}/members/upload/"),
    ("post", "/cohorts/{cohort}/members/{member}/remove/"),
    ("get", "/cohorts/{cohort}/mastery/"),
    ("get", "/cohorts/{cohort}/mastery/test-algorithm/radiograph/"),
    ("get", "/cohorts/{cohort}/assignments/new/"),
    ("post", "/cohorts/{cohort}/assignments/new/"),
    ("get", "/cohorts/{cohort}/scores.csv"),
    ("get", "/cohorts/{cohort}/xapi.json"),
    ("get", "/assignments/{assignment}/"),
    ("get", "/assignments/{assignment}/edit/"),
    ("post", "/assignments/{assignment}/edit/"),
    ("get", "/assignments/{assignment}/scores.csv"),
    ("get", "/assignments/{assignment}/xapi.json"),
]


def url(template: str, setting: dict[str, Any]) -> str:
    return template.format(**{k: v.pk for k, v in setting.items()})


@pytest.mark.parametrize(("method", "template"), DIRECTOR_PAGES)
@pytest.mark.parametrize("cast", ["resident", "instructor"])
def test_director_pages_are_404_for_the_programs_other_roles(
    client: Client,
    request: pytest.FixtureRequest,
    setting: dict[str, Any],
    director: Any,
    method: str,
    template: str,
    cast: str,
) -> None:
    client.force_login(request.getfixturevalue(cast))
    response = getattr(client, method)(url(template, setting))
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "template"), DIRECTOR_PAGES)
def test_the_director_may_open_every_page(
    client: Client, setting: dict[str, Any], director: Any, method: str, template: str
) -> None:
    client.force_login(director)
    response = getattr(client, method)(url(template, setting))
    # A bare POST is a form with errors (400) or a done action (302); never refused.
    assert response.status_code in (200, 302, 400)


def test_a_director_reaches_their_dashboard_from_the_navigation(
    client: Client, director: Any
) -> None:
    client.force_login(director)
    response = client.get("/program/")
    assert response.status_code == 302
    assert response["Location"] == "/programs/northfield/"


def test_a_director_of_two_programs_chooses_one(
    client: Client, director: Any, other_program: Any
) -> None:
    MembershipFactory(user=director, program=other_program, role=Role.DIRECTOR)
    client.force_login(director)
    html = client.get("/program/").content.decode()
    assert 'href="/programs/northfield/"' in html
    assert 'href="/programs/southgate/"' in html


@pytest.mark.parametrize("cast", ["resident", "instructor", "outsider"])
def test_the_program_index_is_404_for_non_directors(
    client: Client, request: pytest.FixtureRequest, cast: str
) -> None:
    client.force_login(request.getfixturevalue(cast))
    assert client.get("/program/").status_code == 404


def test_a_cohort_of_another_program_cannot_be_shown_through_the_dashboard_filter(
    client: Client, director: Any, other_program: Any
) -> None:
    elsewhere = CohortFactory(program=other_program)
    client.force_login(director)
    assert client.get(f"/programs/northfield/?cohort={elsewhere.pk}").status_code == 404
    assert client.get("/programs/northfield/?cohort=x").status_code == 400


def test_a_cohort_of_the_directors_other_program_is_not_shown_through_this_ones_dashboard(
    client: Client, director: Any, other_program: Any
) -> None:
    MembershipFactory(user=director, program=other_program, role=Role.DIRECTOR)
    elsewhere = CohortFactory(program=other_program)
    client.force_login(director)
    assert client.get(f"/programs/northfield/?cohort={elsewhere.pk}").status_code == 404
    assert client.get(f"/programs/southgate/?cohort={elsewhere.pk}").status_code == 200


ITEM_PAGES = ["/items/", "/programs/northfield/items/test-case/"]


@pytest.mark.parametrize("path", ITEM_PAGES)
@pytest.mark.parametrize("cast", ["resident", "other_resident", "outsider"])
def test_item_analysis_is_404_for_all_but_the_programs_instructors_and_directors(
    client: Client, request: pytest.FixtureRequest, case: Any, path: str, cast: str
) -> None:
    client.force_login(request.getfixturevalue(cast))
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ITEM_PAGES)
def test_item_analysis_sends_anonymous_visitors_to_log_in(
    client: Client, case: Any, path: str
) -> None:
    assert client.get(path).status_code == 302


def test_an_instructor_of_another_program_cannot_analyse_this_programs_case(
    client: Client, case: Any, other_program: Any, program: Any, instructor: Any
) -> None:
    case.program = program
    case.save()
    stranger = MembershipFactory(program=other_program, role=Role.INSTRUCTOR).user
    client.force_login(stranger)
    assert client.get("/programs/southgate/items/test-case/").status_code == 404
    assert client.get("/programs/northfield/items/test-case/").status_code == 404
    client.force_login(instructor)
    assert client.get("/programs/northfield/items/test-case/").status_code == 200


def test_a_bundled_case_is_analysed_only_once_the_programs_residents_played_it(
    client: Client, case: Any, instructor: Any, resident: Any, play: Any
) -> None:
    client.force_login(instructor)
    assert client.get("/programs/northfield/items/test-case/").status_code == 404
    play(resident)
    assert client.get("/programs/northfield/items/test-case/").status_code == 200
