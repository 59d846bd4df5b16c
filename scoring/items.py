"""Decisions as items: what each decision of a scored attempt asked and how it went.

Pure Python over a score's stored action verdicts (``Result.to_dict()["actions"]``)
and the attempt's choices, so the same code writes the rows when a score is
stored and back-fills them in a migration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cases.schema import Severity
from scoring.rubric import MEETS, ActionStatus


@dataclass(frozen=True)
class Pick:
    option: str
    verdict: str  # "" when the option performs no action
    severity: str
    harm: str


@dataclass(frozen=True)
class Decision:
    seq: int
    stage: str
    picks: tuple[Pick, ...]

    @property
    def scored(self) -> bool:
        """Whether any chosen option performed an action the rubric judged."""
        return any(p.verdict for p in self.picks)

    @property
    def correct(self) -> bool:
        """Every action performed at this decision met a step: indicated, or
        (rubric v2) an acceptable alternative."""
        return self.scored and all(p.verdict in ("", *MEETS) for p in self.picks)


def _worst(verdicts: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    if not verdicts:
        return None
    # One option's verdict is the worst verdict on its actions.
    return min(
        verdicts,
        key=lambda v: (
            ActionStatus(v["verdict"]).rank,
            Severity(v["severity"]).rank if v["severity"] else len(Severity),
        ),
    )


def decisions(
    choices: Iterable[tuple[int, str, Sequence[str]]], actions: Sequence[Mapping[str, Any]]
) -> list[Decision]:
    """One Decision per choice (seq, stage, option keys), each picked option
    with the worst verdict the rubric gave its actions."""
    by_option: dict[tuple[int, str], list[Mapping[str, Any]]] = {}
    for verdict in actions:
        by_option.setdefault((int(verdict["decision"]), verdict["option"]), []).append(verdict)
    found = []
    for seq, stage, options in choices:
        picks = []
        for option in options:
            worst = _worst(by_option.get((seq, option), []))
            picks.append(
                Pick(
                    option=option,
                    verdict=worst["verdict"] if worst else "",
                    severity=(worst["severity"] or "") if worst else "",
                    harm=(worst["harm"] or "") if worst else "",
                )
            )
        found.append(Decision(seq=seq, stage=stage, picks=tuple(picks)))
    return found
