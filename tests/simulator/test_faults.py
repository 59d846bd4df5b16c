"""Faults that fit the test suite's time (the load runs are `make proof`).

- A copy made with SQLite's online backup API, while the app's connection is
  open, holds every attempt and choice.
- A choice whose response never reached the resident (the worker died after the
  commit) is recorded once: the resident's retry of the same decision records
  nothing more, and the page shows where the case stands.
- A choice whose transaction died before the commit is not recorded at all, and
  the attempt stays readable.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from scoring.models import Mode
from simulator import services
from simulator.models import Attempt, Choice
from simulator.services import attempt_play
from tests.simulator.helpers import choose, start

SARCOMA = "calcified-deep-mass-sarcoma"
PATH = [["xray"], ["mri_contrast"], ["mdt"], ["core_biopsy", "ct_chest", "wide_excision"]]


def snapshot(cursor) -> tuple[list, list]:
    attempts = cursor.execute(
        "SELECT id, user_id, case_version_id, finished_at FROM simulator_attempt ORDER BY id"
    ).fetchall()
    choices = cursor.execute(
        "SELECT attempt_id, seq, stage, options FROM simulator_choice ORDER BY attempt_id, seq"
    ).fetchall()
    return [tuple(r) for r in attempts], [tuple(r) for r in choices]


def sqlite_copy(tmp_path: Path) -> tuple[tuple[list, list], tuple[list, list]]:
    """The database and a copy made with SQLite's online backup API while open."""
    connection.ensure_connection()
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    with copy:
        connection.connection.backup(copy)
    plain = sqlite3.connect(connection.settings_dict["NAME"])  # no Django type converters
    try:
        return snapshot(plain.cursor()), snapshot(copy.cursor())
    finally:
        plain.close()
        copy.close()


def postgres_copy(tmp_path: Path) -> tuple[tuple[list, list], tuple[list, list]]:
    """The database and its pg_dump archive restored into a scratch database."""
    import psycopg

    db = connection.settings_dict
    dsn = {"host": db["HOST"] or "127.0.0.1", "port": str(db["PORT"] or 5432), "user": db["USER"]}
    flags = ["-h", dsn["host"], "-p", dsn["port"], "-U", dsn["user"]]
    archive = tmp_path / "casepath.dump"
    scratch = f"{db['NAME']}_restore"
    subprocess.run(["pg_dump", *flags, "-Fc", "-f", str(archive), db["NAME"]], check=True)  # noqa: S603, S607
    subprocess.run(["dropdb", *flags, "--if-exists", scratch], check=True)  # noqa: S603, S607
    subprocess.run(["createdb", *flags, scratch], check=True)  # noqa: S603, S607
    try:
        subprocess.run(["pg_restore", *flags, "-d", scratch, str(archive)], check=True)  # noqa: S603, S607
        with (
            psycopg.connect(dbname=db["NAME"], **dsn) as live,
            psycopg.connect(dbname=scratch, **dsn) as back,
        ):
            return snapshot(live.cursor()), snapshot(back.cursor())
    finally:
        subprocess.run(["dropdb", *flags, "--if-exists", scratch], check=True)  # noqa: S603, S607


@pytest.mark.django_db(transaction=True)
def test_a_backup_and_restore_round_trips_every_attempt(
    client, resident, bundled, tmp_path: Path
) -> None:
    """SQLite's backup API on SQLite, pg_dump and pg_restore on PostgreSQL."""
    client.force_login(resident)
    for played in range(len(PATH) + 1):  # finished, part-played and untouched attempts
        attempt = start(client, SARCOMA, Mode.PRACTICE)
        for seq, options in enumerate(PATH[:played]):
            assert choose(client, attempt, seq, options, htmx=True).status_code == 200

    copy = sqlite_copy if connection.vendor == "sqlite" else postgres_copy
    original, restored = copy(tmp_path)

    assert len(original[0]) == len(PATH) + 1
    assert len(original[1]) == sum(range(len(PATH) + 1))
    assert restored == original


def test_a_choice_acknowledged_late_is_recorded_once(client, resident, bundled) -> None:
    """The worker committed the choice and died before answering: the resident
    posts the same decision again (to any server) and nothing more is recorded."""
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    services.attempt_choose(attempt=attempt, seq=0, options=["xray"])  # committed, never answered

    retry = choose(client, attempt, 0, ["xray"], htmx=True)

    assert retry.status_code == 200
    assert "already recorded" in retry.content.decode()
    assert list(Choice.objects.filter(attempt=attempt).values_list("seq", flat=True)) == [0]
    assert choose(client, attempt, 1, ["mri_contrast"], htmx=True).status_code == 200
    assert Choice.objects.filter(attempt=attempt).count() == 2


def test_a_choice_that_dies_before_the_commit_is_not_recorded(
    client, resident, bundled, monkeypatch
) -> None:
    """A crash inside the transaction (after the insert, before the commit) leaves
    nothing behind, and the attempt reads and plays on as before."""
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    real_create = Choice.objects.create

    def create_then_die(**kwargs):
        real_create(**kwargs)
        raise SystemExit("worker killed")  # not an Exception: nothing may catch it

    monkeypatch.setattr(Choice.objects, "create", create_then_die)
    with pytest.raises(SystemExit):
        services.attempt_choose(attempt=attempt, seq=0, options=["xray"])
    monkeypatch.undo()

    assert not Choice.objects.filter(attempt=attempt).exists()
    fresh = Attempt.objects.get(pk=attempt.pk)
    assert attempt_play(fresh).state.decided == 0
    assert client.get(f"/attempts/{attempt.pk}/").status_code == 200
    assert choose(client, fresh, 0, ["xray"], htmx=True).status_code == 200
    assert Choice.objects.filter(attempt=attempt).count() == 1
