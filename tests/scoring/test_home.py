"""The home page and navigation show what the user's roles can do."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch

from simulator.accounts.models import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S)
    assert nav is not None
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(0))


def test_anonymous_visitors_get_the_login_page(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_home_refuses_post(client: Client, resident: Any) -> None:
    client.force_login(resident)
    assert client.post("/").status_code == 405


def test_a_resident_sees_their_role_and_program(client: Client, resident: Any) -> None:
    client.force_login(resident)
    html = client.get("/").content.decode()
    assert '<h2 id="role-resident">Resident</h2>' in html
    assert "Northfield Residency" in html
    assert "Instructor" not in html
    assert "Program director" not in html


@pytest.mark.urls("tests.accounts.bare_urls")
def test_a_navigation_row_naming_no_page_fails_loudly(client: Client, director: Any) -> None:
    client.force_login(director)
    with pytest.raises(NoReverseMatch):
        client.get("/")


def test_someone_in_no_program_is_told_whom_to_ask(client: Client, outsider: Any) -> None:
    client.force_login(outsider)
    html = client.get("/").content.decode()
    assert "You are not a member of any program yet" in html
    assert nav_labels(html) == ["Home"]


@pytest.mark.parametrize(
    ("cast", "expected"),
    [
        ("resident", ["Home", "Cases", "History"]),
        ("instructor", ["Home", "Authoring", "Item analysis"]),
        ("director", ["Home", "Program", "Item analysis"]),
        ("outsider", ["Home"]),
    ],
)
def test_the_navigation_shows_what_each_role_can_do(
    client: Client, request: pytest.FixtureRequest, cast: str, expected: list[str]
) -> None:
    client.force_login(request.getfixturevalue(cast))
    assert nav_labels(client.get("/").content.decode()) == expected


def test_roles_in_several_programs_are_all_shown(
    client: Client, instructor: Any, other_program: Any
) -> None:
    MembershipFactory(user=instructor, program=other_program, role=Role.DIRECTOR)
    client.force_login(instructor)
    html = client.get("/").content.decode()
    assert nav_labels(html) == ["Home", "Authoring", "Program", "Item analysis"]
    assert '<h2 id="role-instructor">Instructor</h2>' in html
    assert '<h2 id="role-director">Program director</h2>' in html
    assert "Southgate Residency" in html


def test_the_home_page_runs_a_fixed_number_of_queries(
    client: Client, resident: Any, django_assert_num_queries: Any, program: Any
) -> None:
    for other in ("Eastfield", "Westfield"):
        MembershipFactory(user=resident, program__name=f"{other} Residency")
    client.force_login(resident)
    # session, user, the memberships for the cards, the resident's assignments
    # (none), the attempt to continue (none), the roles for the navigation
    with django_assert_num_queries(6):
        client.get("/")


def test_an_authors_home_shows_what_waits_for_review_and_what_needs_changes(
    client: Client, program: Any, instructor: Any
) -> None:
    from cases import authoring
    from tests.factories import authored_case, import_test_content

    import_test_content()
    waiting = authored_case(program=program, author=instructor, slug="heel-lump")
    authoring.case_version_submit(version=waiting, user=instructor)
    returned = authored_case(program=program, author=instructor, slug="toe-lump", title="A toe")
    authoring.case_version_submit(version=returned, user=instructor)
    reviewer = MembershipFactory(program=program, role=Role.INSTRUCTOR).user
    returned = authoring.case_version_start_review(version=returned, user=reviewer)
    authoring.case_version_request_changes(version=returned, user=reviewer, note="Cite the films")
    client.force_login(instructor)

    section = (
        client.get("/").content.decode().split('id="authored-title"')[1].split("</section>")[0]
    )

    assert section.index("A toe") < section.index("A lump on the heel")  # changes first
    assert "Changes requested</span> — Cite the films" in section
    assert "Waiting for review" in section
