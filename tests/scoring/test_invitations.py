"""Invitations: how a director puts on a cohort someone the program cannot
reach yet, without learning whether or whose the account is."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from scoring.models import CohortMember, Invitation
from simulator.accounts.models import Membership, Role
from tests.factories import CohortFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(program: Any) -> Any:
    return CohortFactory(program=program, name="PGY-1 2026")


def make_link(client: Client, director: Any, cohort: Any) -> str:
    client.force_login(director)
    response = client.post(f"/cohorts/{cohort.pk}/invitations/", follow=True)
    found = re.search(r"http://testserver(/invitations/[\w-]+/)", response.content.decode())
    assert found, "the cohort page shows the new link once"
    return found.group(1)


def test_a_resident_of_another_program_joins_by_accepting_the_link(
    client: Client, director: Any, cohort: Any, other_resident: Any, program: Any
) -> None:
    link = make_link(client, director, cohort)
    client.force_login(other_resident)
    page = client.get(link).content.decode()
    assert "Join PGY-1 2026" in page
    assert "Northfield Residency" in page
    assert "Nothing you did before joining, or for another program" in page
    response = client.post(link, follow=True)
    assert "You are on PGY-1 2026 of Northfield Residency." in response.content.decode()
    assert CohortMember.objects.filter(cohort=cohort, user=other_resident).exists()
    assert Membership.objects.filter(
        program=program, user=other_resident, role=Role.RESIDENT
    ).exists()


def test_a_link_works_once(
    client: Client, director: Any, cohort: Any, other_resident: Any, outsider: Any
) -> None:
    link = make_link(client, director, cohort)
    client.force_login(other_resident)
    client.post(link)
    client.force_login(outsider)
    assert client.get(link).status_code == 404
    assert client.post(link).status_code == 404
    assert not CohortMember.objects.filter(user=outsider).exists()


def test_a_withdrawn_or_expired_link_no_longer_works(
    client: Client, director: Any, cohort: Any, outsider: Any
) -> None:
    withdrawn = make_link(client, director, cohort)
    pending = Invitation.objects.get()
    assert "open until" in client.get(f"/cohorts/{cohort.pk}/").content.decode()
    client.post(f"/cohorts/{cohort.pk}/invitations/{pending.pk}/withdraw/")
    expired = make_link(client, director, cohort)
    Invitation.objects.filter(withdrawn_at__isnull=True).update(expires_at=timezone.now())
    client.force_login(outsider)
    for link in (withdrawn, expired, "/invitations/not-a-token/"):
        assert client.get(link).status_code == 404
        assert client.post(link).status_code == 404
    assert not CohortMember.objects.exists()


def test_a_staff_account_cannot_join_as_a_resident(
    client: Client, director: Any, cohort: Any
) -> None:
    link = make_link(client, director, cohort)
    client.force_login(UserFactory(is_staff=True))
    response = client.post(link)
    assert response.status_code == 400
    assert "Staff accounts cannot join a cohort" in response.content.decode()
    assert not CohortMember.objects.exists()


def test_an_anonymous_visitor_is_asked_to_log_in_first(
    client: Client, director: Any, cohort: Any
) -> None:
    link = make_link(client, director, cohort)
    client.logout()
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/invitations/")


def test_only_a_hash_of_the_token_is_stored(client: Client, director: Any, cohort: Any) -> None:
    link = make_link(client, director, cohort)
    token = link.strip("/").split("/")[-1]
    assert token not in Invitation.objects.get().token_hash
