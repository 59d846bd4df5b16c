"""The bundled content, loaded through the same validator the import command uses."""

from __future__ import annotations

from collections import deque
from functools import cache
from itertools import islice
from pathlib import Path

from cases.schema import Algorithm, Case
from cases.validate import read_sources, validate
from simulator import engine

CONTENT = Path(__file__).resolve().parents[2] / "cases" / "content"


@cache
def bundled() -> tuple[dict[str, Case], dict[str, Algorithm]]:
    sources, unreadable = read_sources([CONTENT])
    report = validate(sources)
    assert not unreadable and report.ok, [str(p) for p in report.problems]
    cases = {case.slug: case for _, case in report.documents(Case)}
    algorithms = {a.slug: a for _, a in report.documents(Algorithm)}
    return cases, algorithms


def case_and_algorithm(slug: str) -> tuple[Case, Algorithm]:
    cases, algorithms = bundled()
    return cases[slug], algorithms[cases[slug].algorithm]


def parse_path(text: str) -> list[list[str]]:
    """'xray, ptb+crp' -> [['xray'], ['ptb', 'crp']], the play_case notation."""
    return [choice.strip().split("+") for choice in text.split(",")]


def shortest_prefix(case: Case, stage: str) -> list[list[str]]:
    """The fewest choices that reach ``stage`` (breadth first over every valid choice)."""
    start = engine.start(case)
    queue = deque([(start, [])])
    seen = {start.stage}
    while queue:
        state, choices = queue.popleft()
        if state.stage == stage:
            return choices
        if state.finished:
            continue
        decision = case.stages[state.stage].decision
        for choice in islice(engine.possible_choices(decision), 500):
            after = engine.advance(case, state, choice)
            if after.stage not in seen:
                seen.add(after.stage)
                queue.append((after, [*choices, list(choice)]))
    raise AssertionError(f"no path reaches stage '{stage}'")
