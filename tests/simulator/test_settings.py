"""A bad environment stops start-up with one line that says what to set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a clean environment plus `env`."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**keep, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def production(**extra: str) -> dict[str, str]:
    return {"DEBUG": "0", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "casepath.example", **extra}


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_missing_secret_key_in_production_says_to_set_it() -> None:
    line = one_line(manage("check", DEBUG="0", ALLOWED_HOSTS="casepath.example"))
    assert line.startswith("CasePath cannot start: SECRET_KEY is not set: set SECRET_KEY")


def test_a_short_secret_key_in_production_is_refused() -> None:
    line = one_line(manage("check", **production(SECRET_KEY="hunter2")))
    assert "SECRET_KEY is too weak" in line


@pytest.mark.parametrize(
    "url",
    ["not-a-url", "mysql//oops", "postgres://host:notaport/casepath", "", "sqlite://"],
)
def test_a_malformed_database_url_says_to_set_it(url: str) -> None:
    line = one_line(manage("check", **production(DATABASE_URL=url)))
    assert line.startswith("CasePath cannot start: DATABASE_URL")
    assert "set DATABASE_URL like postgres://" in line


def test_a_non_boolean_debug_is_refused() -> None:
    line = one_line(manage("check", DEBUG="maybe"))
    assert "DEBUG='maybe' is not a yes/no value: set DEBUG to 1 or 0" in line


def test_production_without_allowed_hosts_is_refused() -> None:
    line = one_line(manage("check", DEBUG="0", SECRET_KEY=GOOD_KEY))
    assert "ALLOWED_HOSTS is not set" in line


def test_csrf_trusted_origins_need_a_scheme() -> None:
    line = one_line(manage("check", **production(CSRF_TRUSTED_ORIGINS="casepath.example")))
    assert "CSRF_TRUSTED_ORIGINS entry 'casepath.example' has no scheme" in line


def test_development_needs_no_environment_at_all() -> None:
    result = manage("check", DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deployment_checklist() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production())
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path: Path) -> None:
    database = tmp_path / "wal.sqlite3"
    script = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])\n"
        "    c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0])\n"
        "print(connection.transaction_mode)\n"
    )
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        script,
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{database}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000", "IMMEDIATE"]
