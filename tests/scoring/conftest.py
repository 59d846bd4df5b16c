"""Fixtures for the program tests: the small test case, and attempts played through the services."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from scoring.models import Assignment, Cohort
from simulator.models import Attempt
from tests.factories import (
    REFERENCE,
    AttemptFactory,
    CohortFactory,
    CohortMemberFactory,
    the_test_case,
)


@pytest.fixture
def cohort(program: Any, resident: Any) -> Cohort:
    """PGY-1 2026 of the program, with the resident on it."""
    cohort = CohortFactory(program=program, name="PGY-1 2026")
    CohortMemberFactory(cohort=cohort, user=resident)
    return cohort


@pytest.fixture
def case(db: None) -> Case:
    return the_test_case()


Play = Callable[..., Attempt]


@pytest.fixture
def play(case: Case) -> Play:
    """Play a path through the services (AttemptFactory), on the test case or `on`."""

    def _play(
        user: Any,
        choices: Sequence[Sequence[str]] = REFERENCE,
        *,
        assignment: Assignment | None = None,
        finished_at: datetime | None = None,
        on: Case | None = None,
    ) -> Attempt:
        return AttemptFactory(
            user=user,
            case_version=(on or case).published,
            choices=choices,
            assignment=assignment,
            finished_at=finished_at,
        )

    return _play


def queries_for(client: Any, path: str) -> int:
    """How many queries a GET of `path` runs, streamed body included."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        assert response.status_code == 200, path
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured.captured_queries)
