"""Fixtures for the program tests: the small test case, and attempts played through the services."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from scoring.models import Assignment
from simulator.models import Attempt, Mode
from simulator.services import attempt_choose, attempt_start
from tests.cases.helpers import VALID_FILES

# Paths through tests/cases/valid/case.yaml and what the rubric makes of them.
REFERENCE = [["films"], ["tissue"], ["good"]]  # 100: films, then tissue culture
SWAB = [["mri"], ["swab"], ["review", "tissue"]]  # MRI first, a swab: a low score
CRP = [["films"], ["crp"], ["good"]]  # films, no culture: culture missed


@pytest.fixture
def case(db: None) -> Case:
    call_command("import_content", *map(str, VALID_FILES), stdout=StringIO(), stderr=StringIO())
    return Case.objects.select_related("published").get(slug="test-case")


Play = Callable[..., Attempt]


@pytest.fixture
def play(case: Case) -> Play:
    def _play(
        user: Any,
        choices: Sequence[Sequence[str]] = REFERENCE,
        *,
        assignment: Assignment | None = None,
        finished_at: datetime | None = None,
        on: Case | None = None,
    ) -> Attempt:
        attempt = attempt_start(
            user=user, case=on or case, mode=Mode.PRACTICE, assignment=assignment
        )
        for seq, options in enumerate(choices):
            assert attempt_choose(attempt=attempt, seq=seq, options=options).recorded
        attempt.refresh_from_db()
        if finished_at is not None:
            Attempt.objects.filter(pk=attempt.pk).update(finished_at=finished_at)
            attempt.refresh_from_db()
        return attempt

    return _play


def queries_for(client: Any, path: str) -> int:
    """How many queries a GET of `path` runs, streamed body included."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        assert response.status_code == 200, path
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured.captured_queries)
