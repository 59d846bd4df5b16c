"""Every path through a case, each with its score: the path explorer.

An author wants to see at once that the reference path scores 100, that every
harmful choice is caught, and how far apart the best and worst paths are. The
browser's path explorer and ``manage.py case_paths`` both read ``explore``.

Pure Python: the engine enumerates the paths (with its caps), the rubric
scores each one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cases.explorer import OptionProof, Proof, prove
from cases.schema import Algorithm, Case, Severity
from cases.soundness import Ending, Unrevealed, contradicted_endings, unrevealed_facts
from scoring.rubric import ActionStatus, ActionVerdict, score
from simulator import engine


@dataclass(frozen=True)
class PathStep:
    """One decision made on a path."""

    stage: str
    stage_title: str
    options: tuple[str, ...]
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Harmful:
    """A harmful action a path takes, with the choice that took it."""

    stage: str
    stage_title: str
    option: str
    option_label: str
    action: str
    action_label: str
    severity: Severity
    harm: str | None


@dataclass(frozen=True)
class ScoredPath:
    number: int  # 1-based, in the engine's order (first options first)
    steps: tuple[PathStep, ...]
    end: str
    end_title: str
    outcome: str
    score: int
    harms: tuple[Harmful, ...]
    is_reference: bool  # among the best-scoring paths

    @property
    def critical_errors(self) -> tuple[Harmful, ...]:
        return tuple(h for h in self.harms if h.severity == "critical")

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "choices": [
                {"stage": s.stage, "options": list(s.options), "labels": list(s.labels)}
                for s in self.steps
            ],
            "end": self.end,
            "outcome": self.outcome,
            "score": self.score,
            "critical_errors": [_harm_dict(h) for h in self.critical_errors],
            "harms": [_harm_dict(h) for h in self.harms],
            "reference": self.is_reference,
        }


def _harm_dict(harm: Harmful) -> dict:
    return {
        "stage": harm.stage,
        "option": harm.option,
        "action": harm.action,
        "severity": harm.severity,
        "harm": harm.harm,
    }


@dataclass(frozen=True)
class Exploration:
    proof: Proof  # exact, never capped: best, worst, a reference path, every option's verdicts
    reference_steps: tuple[PathStep, ...]  # the proof's reference path, as the author reads it
    unrevealed: tuple[Unrevealed, ...]  # facts the rules need that the case never reveals
    endings: tuple[Ending, ...]  # outcomes the scores contradict
    paths: tuple[ScoredPath, ...]
    truncated: bool  # a cap stopped the listing: there may be more paths
    # Every harmful choice some path makes, once, worst first: each is "caught"
    # by the rubric on every path that makes it.
    harms: tuple[Harmful, ...]
    # Stages no complete path enters: unreachable, or only on branches that
    # never reach an outcome (dead ends). Meaningful when not truncated.
    off_every_path: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.paths)

    @property
    def best(self) -> int:
        return self.proof.best.score

    @property
    def worst(self) -> int:
        return self.proof.worst.score

    @property
    def reference(self) -> tuple[ScoredPath, ...]:
        """The listed paths that score the best (the proof holds one whatever the cap)."""
        return tuple(p for p in self.paths if p.is_reference)

    @property
    def keys_broken(self) -> tuple[OptionProof, ...]:
        return tuple(o for o in self.proof.options if o.matches is False)

    @property
    def reaches_full_marks(self) -> bool:
        return self.best == 100

    @property
    def with_critical_errors(self) -> int:
        return sum(1 for p in self.paths if p.critical_errors)

    def to_dict(self) -> dict:
        return {
            **self.proof.to_dict(),
            "unrevealed": [{"fact": u.fact, "message": u.message} for u in self.unrevealed],
            "endings": [{"stage": e.stage, "message": e.message} for e in self.endings],
            "count": self.count,
            "truncated": self.truncated,
            "reference_paths": [p.number for p in self.reference],
            "with_critical_errors": self.with_critical_errors,
            "harms": [_harm_dict(h) for h in self.harms],
            "off_every_path": list(self.off_every_path),
            "paths": [p.to_dict() for p in self.paths],
        }


def explore(case: Case, algorithm: Algorithm, *, limit: int = 500) -> Exploration:
    """Score every path through ``case`` (at most ``limit``; see ``engine.all_paths``)."""
    found = engine.all_paths(case, limit=limit)
    scored: list[tuple[engine.Path, int, tuple[Harmful, ...]]] = []
    for path in found:
        result = score(algorithm, case, path.state.points, path.state.taken)
        harms = tuple(_harmful(case, algorithm, result.actions))
        scored.append((path, result.score, harms))
    proof = prove(algorithm, case)
    paths = tuple(
        ScoredPath(
            number=i,
            steps=tuple(_steps(case, path)),
            end=path.state.stage,
            end_title=case.stages[path.state.stage].title,
            outcome=str(case.stages[path.state.stage].outcome or ""),
            score=points,
            harms=harms,
            is_reference=points == proof.best.score,
        )
        for i, (path, points, harms) in enumerate(scored, start=1)
    )
    every = {(h.stage, h.option, h.action): h for p in paths for h in p.harms}
    ordered = sorted(every.values(), key=lambda h: (h.severity.rank, h.stage))
    visited = {key for path in found for key in path.state.visited}
    best = proof.best.path
    return Exploration(
        proof=proof,
        reference_steps=tuple(_steps(case, engine.Path(best, engine.replay(case, best)))),
        unrevealed=tuple(unrevealed_facts(algorithm, case, proof)),
        endings=tuple(contradicted_endings(algorithm, case, proof)),
        paths=paths,
        truncated=found.truncated,
        harms=tuple(ordered),
        off_every_path=tuple(key for key in case.stages if key not in visited),
    )


def _steps(case: Case, path: engine.Path) -> Iterator[PathStep]:
    # The stage of each choice is the stage entered before it: visited[i].
    for stage_key, choice in zip(path.state.visited, path.choices, strict=False):
        stage = case.stages[stage_key]
        decision = stage.decision
        labels = tuple(
            (o.label if decision and (o := decision.option(key)) else key) for key in choice
        )
        yield PathStep(stage_key, stage.title, tuple(choice), labels)


def _harmful(
    case: Case, algorithm: Algorithm, verdicts: tuple[ActionVerdict, ...]
) -> Iterator[Harmful]:
    for verdict in verdicts:
        if verdict.verdict is not ActionStatus.harmful or verdict.repeat:
            continue
        stage = case.stages[verdict.stage]
        option = stage.decision.option(verdict.option) if stage.decision else None
        action = algorithm.actions.get(verdict.action)
        yield Harmful(
            stage=verdict.stage,
            stage_title=stage.title,
            option=verdict.option,
            option_label=option.label if option else verdict.option,
            action=verdict.action,
            action_label=action.label if action else verdict.action,
            severity=verdict.severity,
            harm=verdict.harm,
        )
