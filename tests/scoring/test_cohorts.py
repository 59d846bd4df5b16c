"""Cohorts and rosters: creating a cohort, adding residents one by one or from
a CSV file, and removing them without touching their attempts."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from scoring.invitations import invitation_create
from scoring.models import Cohort, CohortMember
from scoring.roster import MAX_ROSTER_BYTES, RosterError, roster_parse
from simulator.accounts.models import Membership, Role
from simulator.models import Attempt
from tests.factories import CohortFactory, CohortMemberFactory, MembershipFactory
from tests.scoring.conftest import queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(program: Any) -> Cohort:
    return CohortFactory(program=program, name="PGY-1 2026")


def roster(text: str, name: str = "roster.csv", content_type: str = "text/csv") -> dict:
    return {"roster": SimpleUploadedFile(name, text.encode(), content_type=content_type)}


def usernames(cohort: Cohort) -> list[str]:
    return sorted(
        CohortMember.objects.filter(cohort=cohort, removed_at__isnull=True).values_list(
            "user__username", flat=True
        )
    )


def test_a_director_creates_a_cohort(client: Client, director: Any, program: Any) -> None:
    client.force_login(director)
    response = client.post("/programs/northfield/cohorts/", {"name": "PGY-1 2026"})
    cohort = Cohort.objects.get()
    assert response["Location"] == f"/cohorts/{cohort.pk}/"
    assert cohort.program == program
    assert "Cohort PGY-1 2026 created" in client.get(response["Location"]).content.decode()


def test_two_cohorts_of_a_program_cannot_share_a_name(
    client: Client, director: Any, cohort: Cohort
) -> None:
    client.force_login(director)
    response = client.post("/programs/northfield/cohorts/", {"name": "pgy-1 2026"})
    assert response.status_code == 400
    assert "already has a cohort with that name" in response.content.decode()
    assert Cohort.objects.count() == 1


def test_a_resident_of_the_program_is_added_by_username_or_email(
    client: Client, director: Any, cohort: Cohort, program: Any
) -> None:
    MembershipFactory(
        program=program,
        role=Role.INSTRUCTOR,
        user__username="sam",
        user__email="sam@hospital.example",
    )
    MembershipFactory(program=program, role=Role.RESIDENT, user__username="lee")
    client.force_login(director)
    client.post(f"/cohorts/{cohort.pk}/members/add/", {"identifier": "lee"})
    response = client.post(
        f"/cohorts/{cohort.pk}/members/add/", {"identifier": "SAM@hospital.example"}, follow=True
    )
    assert "sam added to PGY-1 2026" in response.content.decode()
    assert usernames(cohort) == ["lee", "sam"]
    # Being on a cohort makes them residents of the program.
    assert set(
        Membership.objects.filter(program=program, role=Role.RESIDENT).values_list(
            "user__username", flat=True
        )
    ) == {"lee", "sam"}


def test_adding_an_unknown_account_says_so(client: Client, director: Any, cohort: Cohort) -> None:
    client.force_login(director)
    response = client.post(f"/cohorts/{cohort.pk}/members/add/", {"identifier": "nobody"})
    assert response.status_code == 400
    assert "No resident of this program has that username or email" in response.content.decode()
    assert usernames(cohort) == []


def test_adding_someone_twice_keeps_one_row(
    client: Client, director: Any, cohort: Cohort, resident: Any
) -> None:
    client.force_login(director)
    client.post(f"/cohorts/{cohort.pk}/members/add/", {"identifier": "rita"})
    response = client.post(
        f"/cohorts/{cohort.pk}/members/add/", {"identifier": "rita"}, follow=True
    )
    assert "rita is already on PGY-1 2026" in response.content.decode()
    assert CohortMember.objects.count() == 1


def test_a_roster_file_adds_residents_and_creates_missing_accounts(
    client: Client, director: Any, cohort: Cohort, resident: Any
) -> None:
    client.force_login(director)
    text = (
        "username,email,first_name,last_name\n"
        "rita,,,\n"
        "nina,nina@hospital.example,Nina,Okafor\n"
        "\n"
        "paul,paul@hospital.example,Paul,Ng\n"
    )
    response = client.post(f"/cohorts/{cohort.pk}/members/upload/", roster(text), follow=True)
    html = response.content.decode()
    assert "3 residents added, 2 new accounts." in html
    assert usernames(cohort) == ["nina", "paul", "rita"]
    nina = get_user_model().objects.get(username="nina")
    assert (nina.email, nina.get_full_name()) == ("nina@hospital.example", "Nina Okafor")
    assert not nina.has_usable_password()  # signs in through the LMS or after an admin sets one
    assert "Nina Okafor" in html


def test_a_bad_roster_reports_every_bad_line_and_imports_nothing(
    client: Client, director: Any, cohort: Cohort
) -> None:
    client.force_login(director)
    text = (
        "username,email\n"
        "good,good@hospital.example\n"
        ",nobody@hospital.example\n"
        "bad name!,x@hospital.example\n"
        "mo,not-an-email\n"
        "good,again@hospital.example\n"
        "short\n"
    )
    response = client.post(f"/cohorts/{cohort.pk}/members/upload/", roster(text))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported" in html
    for expected in [
        "Line 3: the username is empty.",
        "Line 4: “bad name!” is not a valid username",
        "Line 5: “not-an-email” is not a valid email address.",
        "Line 6: “good” is already listed on line 2.",
        "Line 7: expected 2 cells, found 1.",
    ]:
        assert expected in html
    assert usernames(cohort) == []
    assert not get_user_model().objects.filter(username="good").exists()


def test_a_cell_over_several_lines_is_refused_without_shifting_later_line_numbers() -> None:
    with pytest.raises(RosterError) as raised:
        roster_parse(b'username,first_name\nann,"Ann\nMarie"\n,Nobody\n')
    assert raised.value.errors == [
        "Line 2: a cell runs over several lines; check for a quote that is never closed.",
        "Line 4: the username is empty.",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"name,email\nann,a@b.example\n", "Line 1: the header must name a username column"),
        (b"username,phone\nann,123\n", "unknown column phone"),
        (b"username\n", "no residents"),
        ("username\nrené\n".encode("latin-1"), "not UTF-8"),
        (b"username\n" + b"a" * MAX_ROSTER_BYTES, "larger than 256 KB"),
    ],
)
def test_a_roster_file_that_is_not_a_roster_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(RosterError) as raised:
        roster_parse(data)
    assert message in " ".join(raised.value.errors)


def test_a_spreadsheet_byte_order_mark_is_accepted() -> None:
    rows = roster_parse("\ufeffUsername\r\nann\r\n".encode())
    assert [(r.line, r.username) for r in rows] == [(2, "ann")]


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("roster.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("roster.csv", "image/png"),
    ],
)
def test_an_upload_that_is_not_csv_is_refused(
    client: Client, director: Any, cohort: Cohort, name: str, content_type: str
) -> None:
    client.force_login(director)
    response = client.post(
        f"/cohorts/{cohort.pk}/members/upload/", roster("username\nann\n", name, content_type)
    )
    assert response.status_code == 400
    assert "The file must be a CSV file" in response.content.decode()
    assert usernames(cohort) == []


def test_removing_a_resident_keeps_their_attempts_and_the_roster_history(
    client: Client, director: Any, cohort: Cohort, resident: Any, play: Any
) -> None:
    member = CohortMemberFactory(cohort=cohort, user=resident)
    attempt = play(resident)
    client.force_login(director)
    response = client.post(f"/cohorts/{cohort.pk}/members/{member.pk}/remove/", follow=True)
    html = response.content.decode()
    assert "rita removed from PGY-1 2026. Their attempts and scores are kept." in html
    assert "Removed residents (1)" in html
    assert usernames(cohort) == []
    assert Attempt.objects.filter(pk=attempt.pk).exists()
    assert attempt.scores.exists()
    # Added again later: a new row, the old one stays as history.
    client.post(f"/cohorts/{cohort.pk}/members/add/", {"identifier": "rita"})
    assert usernames(cohort) == ["rita"]
    assert CohortMember.objects.filter(cohort=cohort, user=resident).count() == 2


def test_a_member_of_another_cohort_cannot_be_removed_through_this_one(
    client: Client, director: Any, cohort: Cohort, program: Any, resident: Any
) -> None:
    other = CohortMemberFactory(cohort=CohortFactory(program=program), user=resident)
    client.force_login(director)
    assert client.post(f"/cohorts/{cohort.pk}/members/{other.pk}/remove/").status_code == 404
    other.refresh_from_db()
    assert other.removed_at is None


def test_an_invitation_to_another_cohort_cannot_be_withdrawn_through_this_one(
    client: Client, director: Any, cohort: Cohort, program: Any
) -> None:
    other = CohortFactory(program=program)
    invitation, _ = invitation_create(cohort=other, user=director)
    client.force_login(director)
    response = client.post(f"/cohorts/{cohort.pk}/invitations/{invitation.pk}/withdraw/")
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None


def test_the_cohort_page_runs_a_fixed_number_of_queries(
    client: Client, director: Any, cohort: Cohort, django_assert_num_queries: Any
) -> None:
    client.force_login(director)
    CohortMemberFactory(cohort=cohort)
    before = queries_for(client, f"/cohorts/{cohort.pk}/")
    for _ in range(5):
        CohortMemberFactory(cohort=cohort)
    with django_assert_num_queries(before):
        client.get(f"/cohorts/{cohort.pk}/")
