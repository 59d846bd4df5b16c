"""What a simulated resident sends: the bundled cases' reference paths, as form posts.

Pure: reads the bundled YAML and replays it through the engine, no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from cases import schema
from simulator import engine

CASES = Path(__file__).resolve().parents[2] / "cases" / "content"
PATH_COMMENT = re.compile(r"^# reference path: (.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Script:
    """One case's reference path: the options of each decision and how they are posted."""

    slug: str
    choices: tuple[tuple[str, ...], ...]
    kinds: tuple[str, ...]  # "one", "several" or "order", per decision

    def fields(self, seq: int) -> dict[str, object]:
        options = self.choices[seq]
        data: dict[str, object] = {"seq": str(seq)}
        if self.kinds[seq] == "order":
            data |= {f"rank-{key}": str(rank) for rank, key in enumerate(options, start=1)}
        else:
            data["option"] = list(options)
        return data


@cache
def scripts() -> dict[str, Script]:
    """Every bundled case whose file names its reference path on the first line
    (read once: the load tops residents up between steps)."""
    found: dict[str, Script] = {}
    for file in sorted(CASES.glob("*/cases/*.yaml")):
        text = file.read_text()
        match = PATH_COMMENT.search(text)
        if not match:
            continue
        case = schema.Case.model_validate(yaml.safe_load(text))
        choices = tuple(tuple(c.strip().split("+")) for c in match.group(1).split(","))
        state = engine.start(case)
        kinds = []
        for options in choices:
            decision = case.stages[state.stage].decision
            assert decision is not None, f"{case.slug}: the reference path outruns the case"
            kinds.append(decision.type.value)
            state = engine.advance(case, state, list(options))
        assert state.finished, f"{case.slug}: the reference path does not finish the case"
        found[case.slug] = Script(case.slug, choices, tuple(kinds))
    return found


@dataclass
class Attempt:
    pk: int
    script: Script
    seq: int = 0
    acknowledged: list[int] = field(default_factory=list)  # seqs the server said it recorded

    @property
    def finished(self) -> bool:
        return self.seq >= len(self.script.choices)
