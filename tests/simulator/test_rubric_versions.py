"""Scores stored under rubric version 1 stay readable, labelled, and are kept by rescore.

``v1_result.json`` is what version 1 stored for the sarcoma path below (it
was computed by the version 1 code): 75, with verdicts version 2 no longer
gives ("Met", "Met, but out of order").
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import yaml
from django.core.management import call_command
from django.urls import reverse

from cases.schema import Case
from scoring import rubric
from scoring.models import Mode, Score
from scoring.rubric import RUBRIC_VERSION
from simulator import engine
from tests.core.bundled import CONTENT, case_and_algorithm
from tests.simulator.helpers import choose, start

SARCOMA = "calcified-deep-mass-sarcoma"
PATH = "xray, pet, mri_contrast, mdt, wide_excision+ct_chest+core_biopsy"
V1_RESULT = json.loads((Path(__file__).parent / "v1_result.json").read_text(encoding="utf-8"))


def finished_before_the_upgrade(client, resident):
    """An attempt played and scored while version 1 was the rubric."""
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.ASSESSMENT)
    for seq, picked in enumerate(PATH.split(", ")):
        choose(client, attempt, seq, picked.split("+"))
    Score.objects.filter(attempt=attempt).delete()
    Score.objects.create(
        attempt=attempt, rubric_version=1, score=75, critical_errors=0, result=V1_RESULT
    )
    return attempt


def test_a_version_1_score_is_shown_as_it_was_and_labelled(client, resident, bundled) -> None:
    attempt = finished_before_the_upgrade(client, resident)

    debrief = client.get(reverse("simulator:debrief", args=[attempt.pk])).content.decode()
    assert ">75<" in debrief
    assert "scored with rubric v1" in debrief
    assert "Met, but out of order" in debrief
    history = client.get(reverse("simulator:history")).content.decode()
    assert "rubric v1" in history


def test_rescore_adds_the_version_2_score_and_keeps_version_1(client, resident, bundled) -> None:
    attempt = finished_before_the_upgrade(client, resident)

    call_command("rescore", stdout=StringIO())

    scores = dict(Score.objects.filter(attempt=attempt).values_list("rubric_version", "score"))
    # Version 2: surgery ranked before the biopsy is harmful and meets nothing, PET
    # before MRI is harmful: 59 (docs/scoring.md explains each verdict).
    assert scores == {1: 75, RUBRIC_VERSION: 59}
    debrief = client.get(reverse("simulator:debrief", args=[attempt.pk])).content.decode()
    assert ">59<" in debrief
    assert f"scored with rubric v{RUBRIC_VERSION}" in debrief
    history = client.get(reverse("simulator:history")).content.decode()
    assert "rubric v1" not in history


def test_a_case_version_stored_before_version_2_still_loads_plays_and_scores() -> None:
    # Until rubric v2 an option could perform no action ("repeat the MRI in three
    # months" did not); versions stored then must still replay and rescore.
    text = (
        CONTENT / "soft-tissue-calcification-foot/cases/calcified-deep-mass-sarcoma.yaml"
    ).read_text(encoding="utf-8")
    old = Case.model_validate(
        yaml.safe_load(text.replace("actions: [wait.repeat_imaging_later]", ""))
    )
    _, algorithm = case_and_algorithm(SARCOMA)
    state = engine.replay(old, [c.split("+") for c in ["xray", "mri_contrast", "watch", "mdt"]])
    result = rubric.score(algorithm, old, state.points, state.taken)
    assert [a.decision for a in result.actions if a.decision == 2] == []
    assert 0 <= result.score <= 100
