"""play_case and rescore, the commands authors and operators use."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from scoring.models import Mode, Score
from scoring.rubric import RUBRIC_VERSION
from tests.core.test_bundled_cases import REFERENCE_PATHS
from tests.simulator.helpers import choose, start

SARCOMA = "calcified-deep-mass-sarcoma"


def play_case(*args: str) -> str:
    out = StringIO()
    call_command("play_case", *args, stdout=out)
    return out.getvalue()


def choices(path: str) -> list[str]:
    return [arg for choice in path.split(", ") for arg in ("--choice", choice)]


@pytest.mark.parametrize("slug", sorted(REFERENCE_PATHS))
def test_play_case_scores_each_reference_path_100_as_json(bundled, slug) -> None:
    data = json.loads(play_case(slug, *choices(REFERENCE_PATHS[slug]), "--json"))

    assert data["score"] == 100
    assert data["critical_errors"] == []
    assert len(data["decisions"]) == len(REFERENCE_PATHS[slug].split(", "))
    for decision in data["decisions"]:
        for verdict in decision["verdicts"]:
            assert verdict["verdict"] == "indicated"
            assert verdict["citations"], verdict


def test_play_case_reports_a_critical_error_with_its_sources(bundled) -> None:
    data = json.loads(play_case(SARCOMA, "--choice", "excise", "--choice", "mdt", "--json"))

    assert data["score"] == 0
    [error] = data["critical_errors"]
    assert (error["decision"], error["harm"]) == (1, "excision-before-sarcoma-mdt")
    assert error["citations"]


def test_play_case_prints_a_readable_debrief(bundled) -> None:
    text = play_case(SARCOMA, "--choice", "excise", "--choice", "mdt")
    assert "Score: 0/100" in text
    assert "CRITICAL ERROR at decision 1" in text


def test_play_case_names_the_options_when_a_choice_is_wrong(bundled) -> None:
    with pytest.raises(CommandError, match=r"--choice 1 \(nope\).*Option keys: .*xray"):
        play_case(SARCOMA, "--choice", "nope")


def test_play_case_says_what_is_missing_when_a_path_stops_early(bundled) -> None:
    with pytest.raises(CommandError, match="after 1 choices .* add a --choice from"):
        play_case(SARCOMA, "--choice", "xray")


def test_rescore_adds_a_score_under_the_current_rubric_and_keeps_the_old_one(
    client, resident, bundled
) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.ASSESSMENT)
    choose(client, attempt, 0, ["excise"])
    choose(client, attempt, 1, ["mdt"])
    # As if it had been scored under an older rubric that gave it 42.
    Score.objects.filter(attempt=attempt).update(rubric_version=RUBRIC_VERSION - 1, score=42)
    out = StringIO()

    call_command("rescore", stdout=out)
    call_command("rescore", stdout=out)

    assert out.getvalue().splitlines() == [
        f"Rescored 1 attempt under rubric v{RUBRIC_VERSION}.",
        f"Rescored 0 attempts under rubric v{RUBRIC_VERSION}.",
    ]
    scores = dict(Score.objects.filter(attempt=attempt).values_list("rubric_version", "score"))
    assert scores == {RUBRIC_VERSION - 1: 42, RUBRIC_VERSION: 0}
