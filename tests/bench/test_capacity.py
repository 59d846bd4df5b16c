"""The residents-per-core search counts the queue, not only the service time."""

from __future__ import annotations

import threading
import time

from tests.bench import capacity


def test_a_choice_waiting_for_a_free_client_counts_its_wait() -> None:
    # One client, each choice taking 50 ms, offered 100 a second for half a
    # second: the queue grows whatever the machine's speed, so the last choices
    # are answered long after they were due and the step is not carried.
    served = []
    lock = threading.Lock()

    def choose(resident: str) -> None:
        time.sleep(0.05)
        with lock:
            served.append(resident)

    step = capacity.offer(["only"], choose, rate=100, seconds=0.5, seed=1)
    assert step.requests == len(served) > 20
    assert step.residents == 2000  # 100 choices a second, one every 20 s each
    # The last one was due by 0.5 s and served after every one before it.
    assert max(step.latencies) >= 0.05 * step.requests - 0.5
    assert not step.carried


def test_a_failed_choice_is_counted_and_fails_the_step() -> None:
    def choose(resident: str) -> None:
        raise ConnectionResetError("the server closed the connection")

    step = capacity.offer(["a", "b"], choose, rate=50, seconds=0.2, seed=2)
    assert step.errors == step.requests > 0
    assert step.first_errors[0].startswith("ConnectionResetError")
    assert not step.carried


def test_the_figure_is_the_last_step_carried_before_the_first_that_was_not() -> None:
    def step(residents: int, p99_ms: float, errors: int = 0) -> capacity.Step:
        return capacity.Step(
            residents, residents / 20, latencies=[p99_ms / 1000] * 100, errors=errors
        )

    steps = [step(600, 40), step(720, 90), step(864, 150, errors=1), step(1037, 120)]
    assert capacity.carried(steps) == 720
    assert capacity.carried([step(600, 250)]) == 0
    assert "**One core carries 720 residents.**" in capacity.table("sqlite", steps, 10)
