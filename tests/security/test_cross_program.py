"""F1 of the security review: one program never reaches another's people.

The reproduction: a director of another program added the home program's
resident to their cohort (by username, e-mail or roster), then read his
scores, case titles and step verdicts in the mastery grid, the dashboard, the
cohort CSV, the xAPI export and item analysis. Enrolment is now limited to
the program's own people, and even a resident who legitimately belongs to
both programs is counted by each only for what he did as its resident.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cases import authoring
from scoring.models import CohortMember
from simulator.accounts.models import Membership, Role
from simulator.models import Attempt
from tests.factories import (
    REFERENCE,
    SWAB,
    AssignmentFactory,
    CohortFactory,
    CohortMemberFactory,
    MembershipFactory,
    ProgramFactory,
    UserFactory,
    authored_case,
)

pytestmark = pytest.mark.django_db

PRIVATE_TITLE = "Home private heel case"


def published_private_case(program: Any) -> Any:
    author = MembershipFactory(program=program, role=Role.INSTRUCTOR).user
    reviewer = MembershipFactory(program=program, role=Role.INSTRUCTOR).user
    version = authored_case(
        program=program, author=author, slug="home-private", title=PRIVATE_TITLE
    )
    authoring.case_version_submit(version=version, user=author)
    version = authoring.case_version_start_review(version=version, user=reviewer)
    authoring.case_version_approve(version=version, user=reviewer)
    version.case.refresh_from_db()
    return version.case


@pytest.fixture
def home(case: Any) -> dict:
    """The home program, its resident with a history there, and a private case."""
    program = ProgramFactory(slug="home", name="Home Residency")
    resident = MembershipFactory(
        program=program,
        role=Role.RESIDENT,
        user__username="victim",
        user__email="victim@home.example",
    ).user
    cohort = CohortFactory(program=program, name="Home cohort")
    CohortMemberFactory(cohort=cohort, user=resident)
    return {"program": program, "resident": resident, "cohort": cohort}


@pytest.fixture
def away(db: None) -> dict:
    """Another program, its director and a cohort."""
    program = ProgramFactory(slug="away", name="Away Residency")
    director = MembershipFactory(program=program, role=Role.DIRECTOR).user
    return {
        "program": program,
        "director": director,
        "cohort": CohortFactory(program=program, name="Away cohort"),
    }


def page(response: Any, typed: str) -> str:
    """The page as the director reads it: what they typed and the form's
    one-time CSRF tokens (different on every page) left out."""
    text = response.content.decode().replace(typed, "…")
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]*"', "", text)


def test_a_foreign_account_cannot_be_added_and_answers_like_an_unknown_one(
    client: Client, home: dict, away: dict
) -> None:
    client.force_login(away["director"])
    url = f"/cohorts/{away['cohort'].pk}/members/add/"
    unknown = client.post(url, {"identifier": "nobody-at-all"})
    for identifier in ("victim", "victim@home.example", "VICTIM@home.example"):
        foreign = client.post(url, {"identifier": identifier})
        assert foreign.status_code == unknown.status_code == 400
        assert page(foreign, identifier) == page(unknown, "nobody-at-all")
    assert not Membership.objects.filter(program=away["program"], user=home["resident"]).exists()
    assert not CohortMember.objects.filter(cohort=away["cohort"]).exists()


def test_a_roster_never_takes_over_an_account_of_another_program(
    client: Client, home: dict, away: dict
) -> None:
    instructor = MembershipFactory(
        program=home["program"], role=Role.INSTRUCTOR, user__username="instructor2"
    ).user
    client.force_login(away["director"])
    upload = SimpleUploadedFile(
        "roster.csv", b"username\nnewcomer\ninstructor2\nVictim\n", content_type="text/csv"
    )
    response = client.post(f"/cohorts/{away['cohort'].pk}/members/upload/", {"roster": upload})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Line 3: “instructor2” is not available" in body
    assert "Line 4: “Victim” is not available" in body
    assert not CohortMember.objects.filter(cohort=away["cohort"]).exists()
    assert not Membership.objects.filter(
        program=away["program"], user__in=[instructor, home["resident"]]
    ).exists()
    assert not UserFactory._meta.model.objects.filter(username="newcomer").exists()


def test_a_staff_account_is_never_enrolled(client: Client, away: dict) -> None:
    staff = UserFactory(username="staffer", is_staff=True)
    MembershipFactory(program=away["program"], role=Role.INSTRUCTOR, user=staff)
    client.force_login(away["director"])
    response = client.post(f"/cohorts/{away['cohort'].pk}/members/add/", {"identifier": "staffer"})
    assert response.status_code == 400
    upload = SimpleUploadedFile("roster.csv", b"username\nstaffer\n", content_type="text/csv")
    response = client.post(f"/cohorts/{away['cohort'].pk}/members/upload/", {"roster": upload})
    assert response.status_code == 400
    assert not CohortMember.objects.filter(cohort=away["cohort"]).exists()


@pytest.fixture
def dual(home: dict, away: dict, play: Any, case: Any) -> dict:
    """The home resident, who later also joins the away program (by accepting
    an invitation), with attempts of every kind the away program must not see."""
    resident = home["resident"]
    private = published_private_case(home["program"])
    home_assignment = AssignmentFactory(cohort=home["cohort"], cases=[case], title="Home homework")
    before = play(resident, SWAB)  # on the bundled case, before joining away
    on_private = play(resident, REFERENCE, on=private)
    on_home_assignment = play(resident, REFERENCE, assignment=home_assignment)
    from scoring.invitations import invitation_accept, invitation_create

    _, token = invitation_create(cohort=away["cohort"], user=away["director"])
    invitation_accept(token=token, user=resident)
    # Joining happens after those three attempts finished.
    joined = timezone.now()
    Attempt.objects.filter(pk__in=[before.pk, on_private.pk, on_home_assignment.pk]).update(
        finished_at=joined - timezone.timedelta(hours=1)
    )
    as_away_resident = play(resident, REFERENCE)
    return {
        "away_attempt": as_away_resident,
        "hidden": [before, on_private, on_home_assignment],
    }


def test_a_resident_of_two_programs_is_counted_by_each_only_for_its_own(
    client: Client, away: dict, dual: dict
) -> None:
    client.force_login(away["director"])
    cohort = away["cohort"].pk
    visible = str(dual["away_attempt"].pk)

    csv_rows = b"".join(client.get(f"/cohorts/{cohort}/scores.csv").streaming_content).decode()
    listed = {line.split(",")[0] for line in csv_rows.splitlines()[1:]}
    assert listed == {visible}
    assert PRIVATE_TITLE not in csv_rows and "Home homework" not in csv_rows

    statements = json.loads(client.get(f"/cohorts/{cohort}/xapi.json").content)
    completed = [s for s in statements if s["verb"]["id"].endswith("/completed")]
    assert len(completed) == 1, "the away attempt alone is exported"
    assert PRIVATE_TITLE not in json.dumps(statements)

    grid = client.get(f"/cohorts/{cohort}/mastery/").content.decode()
    assert "victim" in grid
    dashboard = client.get("/programs/away/").content.decode()
    assert PRIVATE_TITLE not in dashboard
    assert "Home homework" not in dashboard


def test_the_mastery_cell_shows_only_attempts_made_as_the_programs_resident(
    client: Client, away: dict, dual: dict, case: Any
) -> None:
    client.force_login(away["director"])
    resident = dual["away_attempt"].user
    algorithm = case.published.algorithm_version.algorithm.slug
    step = case.published.algorithm_version.parsed.steps[0].key
    page = client.get(
        f"/cohorts/{away['cohort'].pk}/mastery/{algorithm}/{step}/", {"resident": resident.pk}
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert PRIVATE_TITLE not in body
    assert body.count("<tr") - 1 == 1  # the away attempt only, under its header row


def test_item_analysis_counts_only_the_programs_own_attempts(
    client: Client, home: dict, away: dict, dual: dict, case: Any
) -> None:
    instructor = MembershipFactory(program=away["program"], role=Role.INSTRUCTOR).user
    client.force_login(instructor)
    assert "home-private" not in client.get("/items/").content.decode()
    response = client.get(f"/programs/away/items/{case.slug}/")
    assert response.status_code == 200
    assert response.context["a"].attempts == 1
    assert client.get("/programs/away/items/home-private/").status_code == 404
