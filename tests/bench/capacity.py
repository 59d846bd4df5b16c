"""Residents per core: how many residents, each making one choice every 20 s,
one gunicorn sync worker carries with the choice's p99 under 200 ms.

Open loop. Residents who act on their own every 20 s, out of step with each
other, arrive together as a Poisson stream of N/20 choices a second, whatever
the server's speed; a closed loop (each user waiting for its answer before the
next request) would slow down with the server and hide the queue. Each arrival
is served by whichever logged-in simulated resident is free: what a choice
costs the server does not depend on how many other residents exist, so a pool
of them stands in for N. A choice's latency runs from the moment it was due, so
waiting for a free client counts too (no coordinated omission).

The rate rises by a fixed factor a step at a time until a step misses; the
figure is the last step carried. Nothing here imports Django.
"""

from __future__ import annotations

import math
import queue
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

THINK_SECONDS = 20.0  # each resident's pace: one choice every 20 s
P99_LIMIT = 0.200  # seconds
GROWTH = 1.2  # each step offers 20 % more than the one before

R = TypeVar("R")  # a simulated resident, as the caller keeps it


@dataclass
class Step:
    residents: int
    rate: float  # choices a second offered
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return math.inf
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]

    @property
    def carried(self) -> bool:
        return bool(self.latencies) and self.errors == 0 and self.percentile(99) < P99_LIMIT


def offer(
    pool: Sequence[R], choose: Callable[[R], object], *, rate: float, seconds: float, seed: int
) -> Step:
    """Offer Poisson arrivals at ``rate`` a second for ``seconds``; each is one
    ``choose(resident)`` by a free resident of ``pool``."""
    rng = random.Random(seed)
    due: queue.SimpleQueue[float | None] = queue.SimpleQueue()
    start = time.perf_counter() + 0.2
    t = start
    while True:
        t += rng.expovariate(rate)
        if t > start + seconds:
            break
        due.put(t)
    for _ in pool:
        due.put(None)
    step = Step(residents=round(rate * THINK_SECONDS), rate=rate)
    lock = threading.Lock()

    def worker(resident: R) -> None:
        while (at := due.get()) is not None:
            wait = at - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                choose(resident)
            except Exception as error:  # noqa: BLE001 - every failure is an error to count
                with lock:
                    step.errors += 1
                    if len(step.first_errors) < 5:
                        step.first_errors.append(f"{type(error).__name__}: {error}"[:300])
                continue
            elapsed = time.perf_counter() - at
            with lock:
                step.latencies.append(elapsed)

    threads = [threading.Thread(target=worker, args=(r,), daemon=True) for r in pool]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return step


def ramp(
    pool: Sequence[R],
    choose: Callable[[R], object],
    top_up: Callable[[int], None],
    *,
    first_rate: float,
    seconds: float,
    max_steps: int = 14,
    say: Callable[[str], None] = print,
) -> list[Step]:
    """Steps of rising rate until one is not carried (or ``max_steps``).
    ``top_up(n)`` makes sure every resident of the pool has ``n`` choices to make."""
    steps: list[Step] = []
    rate = first_rate
    for index in range(max_steps):
        # Half again what a fair share of the step needs: arrivals are random.
        top_up(math.ceil(1.5 * rate * seconds / len(pool)) + 2)
        step = offer(pool, choose, rate=rate, seconds=seconds, seed=index)
        steps.append(step)
        say(
            f"   {step.residents:6d} residents ({rate:6.1f} choices/s): p50 "
            f"{step.percentile(50) * 1000:7.1f} ms  p99 {step.percentile(99) * 1000:7.1f} ms"
            f"  errors {step.errors}  {'carried' if step.carried else 'not carried'}"
        )
        for error in step.first_errors:
            say(f"      {error}")
        if not step.carried:
            break
        rate *= GROWTH
    return steps


def carried(steps: Sequence[Step]) -> int:
    """Residents of the last step carried before the first one that was not (0: none)."""
    best = 0
    for step in steps:
        if not step.carried:
            break
        best = step.residents
    return best


def table(kind: str, steps: Sequence[Step], seconds: float) -> str:
    lines = [
        f"Residents per core ({kind}): gunicorn with one sync worker; each resident makes "
        f"one choice every {THINK_SECONDS:g} s (Poisson arrivals, open loop), {seconds:g} s "
        f"a step; carried while the choice's p99, timed from when it was due, is under "
        f"{P99_LIMIT * 1000:.0f} ms with no errors.",
        "",
        "| residents | choices/s | requests | p50 ms | p99 ms | errors | carried |",
        "|--:|--:|--:|--:|--:|--:|---|",
    ]
    for s in steps:
        lines.append(
            f"| {s.residents} | {s.rate:.1f} | {s.requests} | {s.percentile(50) * 1000:.1f} "
            f"| {s.percentile(99) * 1000:.1f} | {s.errors} | {'yes' if s.carried else 'no'} |"
        )
    lines += ["", f"**One core carries {carried(steps)} residents.**"]
    return "\n".join(lines)
