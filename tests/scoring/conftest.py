"""Fixtures for the program tests: a cohort with the resident on it, and query counting."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scoring.models import Cohort
from tests.factories import CohortFactory, CohortMemberFactory


@pytest.fixture
def cohort(program: Any, resident: Any) -> Cohort:
    """PGY-1 2026 of the program, with the resident on it."""
    cohort = CohortFactory(program=program, name="PGY-1 2026")
    CohortMemberFactory(cohort=cohort, user=resident)
    return cohort


def queries_for(client: Any, path: str) -> int:
    """How many queries a GET of `path` runs, streamed body included."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        assert response.status_code == 200, path
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured.captured_queries)
