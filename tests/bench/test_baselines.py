"""The benchmark's baseline views exist only under the bench's own settings."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

from tests.bench import casegen


def test_without_bench_the_baseline_urls_are_404(client) -> None:
    assert "tests.bench" not in settings.INSTALLED_APPS
    for url in ("/bench/hello", "/bench/read", "/bench/insert"):
        assert client.get(url).status_code == 404


def test_the_bench_settings_add_the_baseline_urls() -> None:
    code = (
        "import django; django.setup(); from django.urls import resolve; "
        "print(*(resolve(u).url_name for u in ('/bench/hello', '/bench/read', '/bench/insert')))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.bench.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["hello", "read", "insert"]


def test_the_generated_200_stage_case_is_valid(bundled) -> None:
    from cases.authoring import check

    text = casegen.case_yaml(200, "bench-case")
    assert len(casegen.case_document(200)["stages"]) == 200
    assert len(text.encode()) < 256 * 1024  # the authoring upload limit
    report = check("bench-case", text)
    assert report.ok, report.problems


def test_the_generated_pick_several_case_is_valid_and_explored_exactly(bundled) -> None:
    from cases.authoring import check
    from cases.schema import Case
    from cases.yamlmap import dump
    from scoring import rubric
    from simulator import engine

    document, proof = casegen.keyed_proof(casegen.several_case_document(200, "bench-several"))
    assert len(document["stages"]) == 200
    several = [
        stage["decision"]
        for stage in document["stages"].values()
        if stage.get("decision", {}).get("type") == "several"
    ]
    assert several and all(len(d["options"]) == 11 for d in several)
    assert not any("min" in d or "max" in d for d in several)
    text = dump(document)
    assert len(text.encode()) < 256 * 1024  # the authoring upload limit
    report = check("bench-several", text)
    assert report.ok, report.problems

    # The proof it was keyed from holds for the keyed case (keys change no verdict
    # and no score): its best and worst paths replay to their scores, and every
    # option has one verdict, its key.
    case = Case.model_validate(document)
    algorithm = casegen.algorithm()
    for extreme in (proof.best, proof.worst):
        state = engine.replay(case, extreme.path)
        assert state.finished
        assert rubric.score(algorithm, case, state.points, state.taken).score == extreme.score
    assert proof.worst.score <= proof.best.score
    assert proof.situations >= len(several) * (2**11 - 1)
    keys = {
        (key, option["key"]): option["expect"]
        for key, stage in document["stages"].items()
        for option in stage.get("decision", {}).get("options", [])
    }
    assert {(o.stage, o.option): o.verdicts for o in proof.options} == {
        where: (expect,) for where, expect in keys.items()
    }
