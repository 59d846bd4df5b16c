"""One definition of a counted attempt, shared by the dashboard, the mastery
grid and the CSV, and stated on each page."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from scoring.dashboard import dashboard_for, mastery_grid
from scoring.models import Cohort
from simulator.accounts.models import Role
from tests.factories import (
    CRP,
    REFERENCE,
    SWAB,
    CohortMemberFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOTE = "every attempt a resident finished while on this cohort, however it was started"


def test_dashboard_grid_and_csv_count_the_same_attempts(
    client: Client, director: Any, cohort: Cohort, resident: Any, play: Any
) -> None:
    # Before joining the cohort: not the cohort's.
    early = UserFactory(username="nell")
    MembershipFactory(user=early, program=cohort.program, role=Role.RESIDENT)
    play(early, SWAB)
    CohortMemberFactory(cohort=cohort, user=early)
    play(early, REFERENCE)
    play(resident, CRP)
    # Removed after an attempt: that attempt still counts, the next does not.
    leaver = CohortMemberFactory(cohort=cohort, user__username="lev").user
    play(leaver, REFERENCE)
    cohort.members.filter(user=leaver).update(removed_at=timezone.now())
    play(leaver, SWAB)

    client.force_login(director)
    body = b"".join(client.get(f"/cohorts/{cohort.pk}/scores.csv").streaming_content).decode()
    exported = sorted((r["username"], r["score"]) for r in csv.DictReader(io.StringIO(body)))
    assert exported == [("lev", "100"), ("nell", "100"), ("rita", "57")]
    assert dashboard_for(cohort.program, cohort).attempts == len(exported)
    grid = mastery_grid(cohort)
    whole = grid.rows[0]
    assert max(cell.attempts for cell in whole.cells) == len(exported)
    assert [(r.name, r.left) for r in grid.rows[1:]] == [
        ("nell", False),
        ("rita", False),
        ("lev", True),  # residents since removed come last
    ]

    for page in (
        f"/programs/{cohort.program.slug}/?cohort={cohort.pk}",
        f"/cohorts/{cohort.pk}/mastery/",
        f"/cohorts/{cohort.pk}/",
    ):
        html = client.get(page).content.decode()
        assert NOTE in html, page
    assert (
        'lev <span class="muted">(left the cohort)</span>'
        in client.get(f"/cohorts/{cohort.pk}/mastery/").content.decode()
    )
