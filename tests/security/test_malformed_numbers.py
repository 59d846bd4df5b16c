"""F8 of the security review: numbers that ``str.isdigit()`` accepts but
``int()`` does not ("²", 5,000 digits) or that overflow a database column
(10^30) were 500s. Each is now a clear refusal that changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from simulator.models import Attempt, Choice
from simulator.params import parse_whole
from tests.factories import SWAB, AssignmentFactory, CohortFactory, CohortMemberFactory

pytestmark = pytest.mark.django_db

MALFORMED = ["²", "٣", "9" * 5000, str(10**30), "-1", "1.5", " 1", "1e3"]


@pytest.mark.parametrize("raw", MALFORMED)
def test_only_plain_ascii_whole_numbers_are_read(raw: str) -> None:
    assert parse_whole(raw) is None


def test_plain_whole_numbers_are_read() -> None:
    assert [parse_whole(raw) for raw in ("0", "7", "007", "9" * 18)] == [0, 7, 7, 10**18 - 1]


@pytest.mark.parametrize("raw", MALFORMED)
def test_a_director_gets_a_400_for_a_malformed_id_in_the_address(
    client: Client, director: Any, program: Any, case: Any, raw: str
) -> None:
    cohort = CohortFactory(program=program)
    client.force_login(director)
    step = case.published.algorithm_version.parsed.steps[0].key
    algorithm = case.published.algorithm_version.algorithm.slug
    for url, params in [
        ("/programs/northfield/", {"cohort": raw}),
        (f"/cohorts/{cohort.pk}/mastery/{algorithm}/{step}/", {"resident": raw}),
    ]:
        response = client.get(url, params)
        assert response.status_code == 400, url
        assert "must be a whole number" in response.content.decode()
        assert "Nothing was changed." in response.content.decode()


def test_an_instructor_gets_a_400_for_a_malformed_version(
    client: Client, instructor: Any, resident: Any, play: Any
) -> None:
    play(resident)
    client.force_login(instructor)
    for raw in ("²", "9" * 5000):
        response = client.get("/programs/northfield/items/test-case/", {"version": raw})
        assert response.status_code == 400


def order_stage_attempt(resident: Any, play: Any) -> tuple[Attempt, list[str]]:
    """An attempt standing at the test case's put-in-order decision."""
    attempt = play(resident, SWAB[:2])
    decision = attempt.case_version.parsed.stages["swabbed"].decision
    return attempt, [o.key for o in decision.options]


@pytest.mark.parametrize("raw", ["²", "9" * 5000])
def test_a_malformed_position_or_sequence_records_nothing(
    client: Client, resident: Any, play: Any, raw: str
) -> None:
    attempt, options = order_stage_attempt(resident, play)
    client.force_login(resident)
    url = f"/attempts/{attempt.pk}/choose/"
    ranks = {f"rank-{key}": raw for key in options}
    positioned = client.post(url, {"seq": "2", **ranks})
    assert positioned.status_code == 400
    assert "Give every option a position." in positioned.content.decode()
    stale = client.post(
        url, {"seq": raw, **{f"rank-{k}": str(i + 1) for i, k in enumerate(options)}}
    )
    assert stale.status_code == 302
    assert Choice.objects.filter(attempt=attempt).count() == 2


def test_a_malformed_assignment_on_start_is_a_404_and_starts_nothing(
    client: Client, resident: Any, program: Any, case: Any
) -> None:
    cohort = CohortFactory(program=program)
    CohortMemberFactory(cohort=cohort, user=resident)
    AssignmentFactory(cohort=cohort, cases=[case])
    client.force_login(resident)
    for raw in ("²", "9" * 5000, str(10**30)):
        response = client.post(f"/cases/{case.slug}/start/", {"assignment": raw})
        assert response.status_code == 404
    assert not Attempt.objects.filter(user=resident).exists()
