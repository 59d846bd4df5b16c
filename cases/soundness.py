"""What an author wants to know before review, beyond what makes a case invalid.

- **Facts the case never reveals** that the algorithm's steps and harms test,
  with the options whose verdicts would change if it did: a case that never
  says "tendinopathy" cannot make tendon loading indicated.
- **Coverage**: the steps no case teaches (no option meets them) and the
  harms no case lets a learner commit, per algorithm.
- **Endings the scores contradict**: a good outcome that only paths with a
  critical error reach, or a poor outcome at the end of the reference path.

Notes, not problems: a case may be valid and still worth a second look. Pure
Python, on top of the explorer's proof.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from cases import explorer
from cases.schema import Algorithm, Case, Expect, Outcome
from simulator import engine


@dataclass(frozen=True)
class Changed:
    stage: str
    option: str  # its label
    now: str  # the verdict it gets
    if_known: str  # the verdict it would get were the fact known


@dataclass(frozen=True)
class Unrevealed:
    fact: str
    meaning: str
    options: tuple[Changed, ...]

    @property
    def message(self) -> str:
        changed = "; ".join(
            f"“{c.option}” ({c.stage}) would be {Expect(c.if_known).label}, "
            f"not {Expect(c.now).label}"
            for c in self.options
        )
        return (
            f"the case never reveals '{self.fact}' ({self.meaning}), which the algorithm "
            f"needs before it calls for: {changed}"
        )


def _revealed(case: Case) -> set[str]:
    findings = [*case.patient.findings]
    for stage in case.stages.values():
        findings += stage.findings
    return set().union(*(f.facts for f in findings))


def _tested(algorithm: Algorithm) -> set[str]:
    """The findings the algorithm's rules need to be known (not those whose
    absence they need)."""
    facts: set[str] = set()
    for step in algorithm.steps:
        facts |= {*step.when.all, *step.when.any}
    for harm in algorithm.harms:
        facts |= {*harm.when.all, *harm.when.any, *harm.after}
    return {f for f in facts if f in algorithm.findings}


MEETS = frozenset({"best", "acceptable"})


def unrevealed_facts(algorithm: Algorithm, case: Case, proof: explorer.Proof) -> list[Unrevealed]:
    """Each finding the rules test that no stage of the case reveals, with the
    options (judged where a learner first meets them) that it would make
    right: an answer the author meant as right, but which no step can call
    for on this case. (Findings that would only make more options wrong are
    about other patients, and not listed.)"""
    missing = sorted(_tested(algorithm) - _revealed(case))
    if not missing:
        return []
    firsts = []
    for (stage, key), verdicts in proof.explored.options.items():
        if not verdicts.found:
            continue
        verdict, situation = next(iter(verdicts.found.items()))
        firsts.append((stage, key, verdict, situation, situation.state))
    notes = []
    for fact in missing:
        changed = []
        for stage, key, verdict, situation, state in firsts:
            knowing = replace(state, facts=state.facts | {fact})
            _, judged = explorer.judge(algorithm, case, knowing, situation.choice)
            mine = [v for v in judged if v.option == key]
            if_known = explorer.option_verdict(mine) if mine else verdict
            if if_known in MEETS and verdict not in MEETS:
                label = case.stages[stage].decision.option(key).label
                changed.append(Changed(stage, label, verdict, if_known))
        if changed:
            notes.append(Unrevealed(fact, algorithm.findings[fact], tuple(changed)))
    return notes


@dataclass(frozen=True)
class Ending:
    stage: str
    title: str
    message: str


def contradicted_endings(algorithm: Algorithm, case: Case, proof: explorer.Proof) -> list[Ending]:
    notes = []
    reference_end = engine.replay(case, proof.best.path).stage
    if case.stages[reference_end].outcome is Outcome.poor:
        notes.append(
            Ending(
                reference_end,
                case.stages[reference_end].title,
                f"the reference path (score {proof.best.score}) ends here, yet the outcome is poor",
            )
        )
    for key, stage in case.stages.items():
        if stage.outcome is not Outcome.good:
            continue
        if explorer.best_clean_path_to(algorithm, case, key) is None:
            notes.append(
                Ending(
                    key,
                    stage.title,
                    "every path that ends here makes a critical error, yet the outcome is good",
                )
            )
    return notes


@dataclass(frozen=True)
class Coverage:
    algorithm: str
    untaught_steps: tuple[tuple[str, str], ...]  # (key, title): no option of any case meets it
    uncommitted_harms: tuple[tuple[str, str], ...]  # (key, title): no option commits it
    steps: int
    harms: int

    @property
    def percent(self) -> int:
        total = self.steps + self.harms
        missing = len(self.untaught_steps) + len(self.uncommitted_harms)
        return round(100 * (total - missing) / total) if total else 100

    def to_dict(self) -> dict:
        return {
            "algorithm": self.algorithm,
            "percent": self.percent,
            "untaught_steps": [key for key, _ in self.untaught_steps],
            "uncommitted_harms": [key for key, _ in self.uncommitted_harms],
        }


def coverage(algorithm: Algorithm, proofs: Iterable[explorer.Proof]) -> Coverage:
    """Which of the algorithm's steps and harms the cases exercise."""
    steps: set[str] = set()
    harms: set[str] = set()
    for proof in proofs:
        steps |= proof.steps
        harms |= proof.harms
    return Coverage(
        algorithm=algorithm.slug,
        untaught_steps=tuple((s.key, s.title) for s in algorithm.steps if s.key not in steps),
        uncommitted_harms=tuple((h.key, h.title) for h in algorithm.harms if h.key not in harms),
        steps=len(algorithm.steps),
        harms=len(algorithm.harms),
    )


Note = tuple[tuple[str | int, ...], str]  # (path in the document, message)


def case_notes(algorithm: Algorithm, case: Case) -> list[Note]:
    """A valid case's notes, each at the field it is about."""
    proof = explorer.prove(algorithm, case)
    notes: list[Note] = [
        (("patient",), u.message) for u in unrevealed_facts(algorithm, case, proof)
    ]
    notes += [
        (("stages", e.stage, "outcome"), e.message)
        for e in contradicted_endings(algorithm, case, proof)
    ]
    return notes


def coverage_notes(algorithm: Algorithm, cases: Iterable[Case]) -> list[Note]:
    """The algorithm's steps and harms no case of the batch exercises."""
    covered = coverage(algorithm, (explorer.prove(algorithm, case) for case in cases))
    index = {s.key: i for i, s in enumerate(algorithm.steps)}
    harms = {h.key: i for i, h in enumerate(algorithm.harms)}
    notes: list[Note] = [
        (("steps", index[key]), f"no case in these files teaches the step '{key}' ({title})")
        for key, title in covered.untaught_steps
    ]
    notes += [
        (
            ("harms", harms[key]),
            f"no case in these files lets a learner commit the harm '{key}' ({title})",
        )
        for key, title in covered.uncommitted_harms
    ]
    return notes
