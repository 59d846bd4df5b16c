"""The two commands of a fresh machine: `make run` serves where it is told and
installs only what running needs; the developer tools come with `make test`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEVELOPER_TOOLS = ("pytest", "playwright", "ruff", "hypothesis", "import-linter", "factory-boy")


def dry_run(*args: str) -> str:
    make = shutil.which("make")
    assert make, "make is one of the two commands a fresh machine needs"
    done = subprocess.run(  # noqa: S603 -- fixed arguments, no shell
        [make, "-n", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_make_run_serves_and_prints_the_address_it_is_given() -> None:
    commands = dry_run("run", "HOST=0.0.0.0:8123")

    assert "runserver 0.0.0.0:8123" in commands
    assert "http://0.0.0.0:8123/accounts/login/" in commands
    assert "8000" not in commands


def test_running_installs_no_developer_tools() -> None:
    runtime = (ROOT / "requirements.lock").read_text()
    developer = (ROOT / "requirements-dev.lock").read_text()

    for tool in DEVELOPER_TOOLS:
        assert f"\n{tool}==" not in runtime, tool
        assert f"\n{tool}==" in developer, tool
    # Every package running needs is pinned to the same version for developers.
    pins = {line for line in runtime.splitlines() if "==" in line}
    assert pins <= set(developer.splitlines())
    assert "requirements-dev.lock" not in dry_run("run")
