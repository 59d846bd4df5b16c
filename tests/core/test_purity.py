"""The pure cores import nothing from Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("module", ["simulator.engine", "scoring.rubric", "cases.schema"])
def test_module_does_not_load_django(module: str) -> None:
    # A fresh interpreter: this test process may well have Django loaded.
    probe = (
        f"import sys, {module}\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(loaded))\n"
    )
    completed = subprocess.run(  # noqa: S603 - a fixed interpreter and argument list
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert completed.stdout.strip() == "", f"{module} loaded {completed.stdout.strip()}"
