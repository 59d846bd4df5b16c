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
