"""Two requests for the same decision at once (two tabs, a double click that
beats the disabled button) record one choice, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from cases.models import Case
from scoring.models import Mode
from simulator.models import Attempt, Choice
from simulator.services import attempt_choose


@pytest.mark.django_db(transaction=True)
def test_simultaneous_posts_of_one_decision_record_it_once(resident, bundled) -> None:
    case = Case.objects.get(slug="calcified-deep-mass-sarcoma")
    attempt = Attempt.objects.create(user=resident, case_version=case.published, mode=Mode.PRACTICE)
    barrier = threading.Barrier(4)
    recorded: list[bool] = []
    errors: list[BaseException] = []

    def post(option: str) -> None:
        try:
            barrier.wait()
            chosen = attempt_choose(attempt=attempt, seq=0, options=[option])
            recorded.append(chosen.recorded)
        except BaseException as error:  # noqa: BLE001 -- reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=post, args=(o,)) for o in ("xray", "excise", "xray", "mri_first")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(recorded) == [False, False, False, True]
    assert Choice.objects.filter(attempt=attempt).count() == 1
