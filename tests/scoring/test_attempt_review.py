"""A director or instructor opens any of their residents' attempts, read-only,
from the assignment, the mastery cell or a CSV row; nobody else can."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from simulator.accounts.models import Role
from tests.factories import (
    AssignmentFactory,
    AttemptFactory,
    CaseVersionFactory,
    CohortMemberFactory,
    MembershipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(program: Any, resident: Any) -> Any:
    member = CohortMemberFactory(user=resident, cohort__program=program)
    version = CaseVersionFactory()
    assignment = AssignmentFactory(cohort=member.cohort, cases=[version.case])
    return AttemptFactory(user=resident, case_version=version, assignment=assignment)


def test_the_programs_staff_read_a_residents_debrief(
    client: Client, finished: Any, director: Any, instructor: Any
) -> None:
    url = reverse("simulator:attempt_review", args=[finished.pk])
    for staff in (director, instructor):
        client.force_login(staff)
        page = client.get(url).content.decode()
        assert "rita's attempt, read-only" in page
        assert "Decision by decision" in page
        assert "Play this case again" not in page


def test_anyone_else_gets_a_404(
    client: Client, finished: Any, resident: Any, other_program: Any, outsider: Any
) -> None:
    url = reverse("simulator:attempt_review", args=[finished.pk])
    elsewhere = MembershipFactory(program=other_program, role=Role.DIRECTOR).user
    for user in (resident, elsewhere, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(elsewhere)
    assert client.get(reverse("simulator:attempt_review", args=["9" * 30])).status_code == 404


def test_the_assignment_and_the_csv_lead_to_it(
    client: Client, finished: Any, director: Any
) -> None:
    client.force_login(director)
    url = reverse("simulator:attempt_review", args=[finished.pk])

    assignment = client.get(reverse("scoring:assignment", args=[finished.assignment_id]))
    assert url in assignment.content.decode()

    exported = client.get(reverse("scoring:assignment_csv", args=[finished.assignment_id]))
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert [r["review_url"].endswith(url) for r in rows] == [True]
