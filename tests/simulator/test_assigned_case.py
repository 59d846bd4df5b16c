"""An assigned case counts however the resident starts it, and its page says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from simulator.models import Attempt
from tests.factories import AssignmentFactory, CaseVersionFactory, CohortMemberFactory

pytestmark = pytest.mark.django_db


def test_starting_an_assigned_case_from_cases_counts_for_the_assignment(client: Client) -> None:
    case = CaseVersionFactory().case
    member = CohortMemberFactory()
    assignment = AssignmentFactory(
        cohort=member.cohort, cases=[case], mode="assessment", title="Foot block"
    )
    client.force_login(member.user)

    page = client.get(reverse("simulator:case", args=[case.slug])).content.decode()
    assert "Assigned: Foot block" in page
    assert "Mode: <strong>assessment" in page and "set by the assignment" in page
    assert 'name="mode" id="mode-practice"' not in page  # the assignment sets the mode

    # The form a resident submits from Cases, even one asking for practice.
    client.post(reverse("simulator:start", args=[case.slug]), {"mode": "practice"})

    attempt = Attempt.objects.get(user=member.user)
    assert attempt.assignment == assignment
    assert attempt.mode == "assessment"


def test_a_case_not_yet_open_for_the_assignment_starts_unassigned(client: Client) -> None:
    case = CaseVersionFactory().case
    member = CohortMemberFactory()
    AssignmentFactory(
        cohort=member.cohort, cases=[case], opens_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(member.user)

    assert (
        "Assigned:" not in client.get(reverse("simulator:case", args=[case.slug])).content.decode()
    )
    client.post(reverse("simulator:start", args=[case.slug]), {"mode": "practice"})

    assert Attempt.objects.get(user=member.user).assignment is None
