"""The rubric: judge an attempt decision by decision against the reference algorithm.

Pure Python, no Django, and nothing of the engine: the scorer is a function
of the algorithm and case documents and of what the engine recorded in
``cases.schema``: each decision as the learner met it (``DecisionPoint``:
what was known, what was offered) and each action taken (``TakenAction``).
Every verdict uses only what was known when the action was taken, so the
verdict shown after a decision in practice is the verdict in the debrief.

The formula is written down in ``docs/scoring.md``; any change to what a
verdict means or how points are counted must bump ``RUBRIC_VERSION`` so that
old scores stay labelled with the rubric that produced them. Results stored
under version 1 are still read (``Result.from_dict``) and shown as they were.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from itertools import groupby
from typing import Any

from cases.checks import reach, stage_edges
from cases.schema import (
    Action,
    Algorithm,
    Case,
    DecisionPoint,
    DecisionType,
    Harm,
    Severity,
    Step,
    StepWeight,
    TakenAction,
    Time,
    Weight,
)

RUBRIC_VERSION = 2

WEIGHTS: Mapping[Weight, int] = {
    Weight.critical: 3,
    Weight.essential: 2,
    Weight.recommended: 1,
    Weight.optional: 1,  # counted only when the step was done
}
ACCEPTABLE_CREDIT = Fraction(3, 4)
LATE_FACTOR = Fraction(1, 2)
PENALTIES: Mapping[str, int] = {
    "premature": 3,  # per distinct action
    "not_indicated": 3,
    "low_value": 2,
}
HARM_PENALTIES: Mapping[Severity, int] = {
    Severity.critical: 30,
    Severity.major: 15,
    Severity.minor: 5,
}

# Shown only where the algorithm version gives an action no reasons of its
# own: those stored before rubric v2, which did not ask for them.
NO_STEP_RATIONALE = "No step of the reference algorithm called for this at the time."


class Verdict(StrEnum):
    """A verdict as stored (its value), as shown (its label), and as ordered
    (its rank: members are declared worst first). Every page, export and
    table reads labels and order from here."""

    label: str

    def __new__(cls, value: str, label: str) -> Verdict:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @cached_property
    def rank(self) -> int:
        return list(type(self)).index(self)


class StepStatus(Verdict):
    missed = "missed", "Missed"
    late = "late", "Done late"
    # Rubric v1 only, kept so its stored scores read as they did.
    met_out_of_order = "met_out_of_order", "Met, but out of order"
    met_alternative = "met_alternative", "Met by an acceptable alternative"
    on_time = "on_time", "Done on time"
    met = "met", "Met"


class ActionStatus(Verdict):
    harmful = "harmful", "Harmful"
    not_indicated = "not_indicated", "Not indicated"
    premature = "premature", "Premature"
    low_value = "low_value", "Low value"
    acceptable = "acceptable", "Acceptable"
    indicated = "indicated", "Indicated"


# Verdicts that meet the step that gave them.
MEETS = frozenset({ActionStatus.indicated, ActionStatus.acceptable})


def weight_points(weight: StepWeight) -> Fraction:
    if isinstance(weight, Weight):
        return Fraction(WEIGHTS[weight])
    return Fraction(weight).limit_denominator(1000)


def _weight(value: Any) -> StepWeight:
    return Weight(value) if isinstance(value, str) else float(value)


@dataclass(frozen=True)
class StepVerdict:
    step: str
    title: str
    weight: StepWeight
    verdict: StepStatus
    credit: float  # the share of the step's weight earned, 0 to 1
    by_alternative: bool
    action: str | None  # the action that met the step, if any
    time: Time | None
    rationale: str
    citations: tuple[str, ...]
    # Rubric v1: steps listed in ``after`` that were met only later than this one.
    # Version 2 makes a step due only once those are done, so it has none.
    should_follow: tuple[str, ...] = ()
    due: int | None = None  # the decision at which it became due (v2)
    option: str | None = None  # the option whose action met it (v2)

    @property
    def critical(self) -> bool:
        return self.weight == Weight.critical

    @property
    def decision(self) -> int | None:
        return self.time[0] if self.time is not None else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "weight": self.weight.value if isinstance(self.weight, Weight) else self.weight,
            "verdict": self.verdict.value,
            "credit": self.credit,
            "by_alternative": self.by_alternative,
            "action": self.action,
            "time": list(self.time) if self.time is not None else None,
            "should_follow": list(self.should_follow),
            "due": self.due,
            "option": self.option,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], algorithm: Algorithm) -> StepVerdict:
        step = algorithm.step(data["step"])
        return cls(
            step=data["step"],
            title=step.title,
            weight=_weight(data["weight"]),
            verdict=StepStatus(data["verdict"]),
            credit=float(data["credit"]),
            by_alternative=bool(data["by_alternative"]),
            action=data["action"],
            time=_time(data["time"]) if data["time"] is not None else None,
            rationale=step.rationale,
            citations=tuple(step.citations),
            should_follow=tuple(data.get("should_follow", ())),
            due=data.get("due"),
            option=data.get("option"),
        )


@dataclass(frozen=True)
class ActionVerdict:
    action: str
    time: Time
    decision: int
    stage: str
    option: str
    verdict: ActionStatus
    severity: Severity | None  # set for harmful
    harm: str | None  # harm key, for harmful
    step: str | None  # the step the verdict is about, when one is
    # The action was already taken earlier in the attempt; its penalty, if
    # any, is counted once.
    repeat: bool
    rationale: str
    citations: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "time": list(self.time),
            "decision": self.decision,
            "stage": self.stage,
            "option": self.option,
            "verdict": self.verdict.value,
            "severity": self.severity.value if self.severity is not None else None,
            "harm": self.harm,
            "step": self.step,
            "repeat": self.repeat,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], algorithm: Algorithm) -> ActionVerdict:
        verdict = ActionStatus(data["verdict"])
        rationale, citations = explanation(
            algorithm, verdict, data["action"], data["harm"], data["step"]
        )
        return cls(
            action=data["action"],
            time=_time(data["time"]),
            decision=int(data["decision"]),
            stage=data["stage"],
            option=data["option"],
            verdict=verdict,
            severity=Severity(data["severity"]) if data["severity"] is not None else None,
            harm=data["harm"],
            step=data["step"],
            repeat=bool(data["repeat"]),
            rationale=rationale,
            citations=citations,
        )


@dataclass(frozen=True)
class Result:
    score: int  # 0-100
    coverage: float  # 0-100, before penalties
    penalties: dict[str, int]  # named parts: late is in coverage; see PENALTIES and "harm"
    steps: tuple[StepVerdict, ...]  # steps judged on this path, in algorithm order
    actions: tuple[ActionVerdict, ...]  # every taken action, in time order
    critical_errors: tuple[ActionVerdict, ...]  # critical harms, first occurrence each
    rubric_version: int = RUBRIC_VERSION

    @property
    def penalty_total(self) -> int:
        return sum(self.penalties.values())

    @property
    def missed_critical(self) -> tuple[StepVerdict, ...]:
        """Critical steps never done: critical errors as much as critical harms."""
        return tuple(s for s in self.steps if s.critical and s.verdict is StepStatus.missed)

    @property
    def critical_count(self) -> int:
        return len(self.critical_errors) + len(self.missed_critical)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rubric_version": self.rubric_version,
            "score": self.score,
            "coverage": self.coverage,
            "penalties": dict(self.penalties),
            "penalty_total": self.penalty_total,
            "steps": [s.to_dict() for s in self.steps],
            "actions": [a.to_dict() for a in self.actions],
            "critical_errors": [a.to_dict() for a in self.critical_errors],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], algorithm: Algorithm) -> Result:
        """A stored result, with each verdict's rationale and citations taken
        again from the frozen algorithm version the attempt was scored on
        (they are not stored: a score is a few kilobytes, not fifteen)."""
        version = int(data["rubric_version"])
        return cls(
            score=int(data["score"]),
            coverage=float(data["coverage"]),
            penalties={str(k): int(v) for k, v in data["penalties"].items()},
            steps=tuple(StepVerdict.from_dict(s, algorithm) for s in data["steps"]),
            actions=tuple(ActionVerdict.from_dict(a, algorithm) for a in data["actions"]),
            critical_errors=tuple(
                ActionVerdict.from_dict(a, algorithm) for a in data["critical_errors"]
            ),
            # An old score keeps the version it was computed under.
            rubric_version=version,
        )


def explanation(
    algorithm: Algorithm,
    verdict: ActionStatus,
    action: str,
    harm: str | None,
    step: str | None,
) -> tuple[str, tuple[str, ...]]:
    """Why an action got its verdict, with the sources that say so: its harm's
    reasons; the step it meets; or, when no step called for it now, the
    action's own reasons (the step's, for a premature or low-value action
    whose vocabulary entry gives none)."""
    if harm is not None:
        found = next(h for h in algorithm.harms if h.key == harm)
        return found.rationale, tuple(found.citations)
    if verdict in MEETS and step is not None:
        found_step = algorithm.step(step)
        return found_step.rationale, tuple(found_step.citations)
    own: Action | None = algorithm.actions.get(action)
    if own is not None and own.rationale:
        return own.rationale, tuple(own.citations)
    if step is not None:
        found_step = algorithm.step(step)
        return found_step.rationale, tuple(found_step.citations)
    return NO_STEP_RATIONALE, ()


def _time(value: Sequence[int]) -> Time:
    first, second = value
    return (int(first), int(second))


def _round_half_up(value: Fraction) -> int:
    # Python's round() rounds halves to even (62.5 -> 62); a score that a
    # learner can check by hand should round halves up.
    return math.floor(value + Fraction(1, 2))


# --- what may still be learned ----------------------------------------------------


class Prospects:
    """For each stage of a case, the facts that could still become known from
    there on: findings of the stages it can reach and the actions their
    decisions offer. An action whose step does not apply yet but could on
    this case is premature; one whose step never could is not indicated."""

    def __init__(self, case: Case) -> None:
        self._case = weakref.ref(case)  # cached beside the case, never keeping it alive
        self._edges = stage_edges(case)
        self._found: dict[str, frozenset[str]] = {}
        self._offered: dict[str, frozenset[str]] = {}

    @classmethod
    def of(cls, case: Case) -> Prospects:
        """The case's table, built once per case document: the explorer judges
        hundreds of thousands of choices of one case."""
        found = _PROSPECTS.get(id(case))
        if found is None or found._case() is not case:
            found = _PROSPECTS[id(case)] = cls(case)
            weakref.finalize(case, _PROSPECTS.pop, id(case), None)
        return found

    def offered(self, stage: str) -> frozenset[str]:
        """The actions the stage's decision offers."""
        if stage not in self._offered:
            case = self._case()
            assert case is not None  # noqa: S101 -- only reached through a live case
            decision = case.stages[stage].decision
            self._offered[stage] = frozenset(
                a for o in (decision.options if decision else ()) for a in o.actions
            )
        return self._offered[stage]

    def from_stage(self, stage: str) -> frozenset[str]:
        if stage not in self._found:
            case = self._case()
            assert case is not None  # noqa: S101 -- only reached through a live case
            facts: set[str] = set()
            for key in reach([stage], self._edges):
                found = case.stages[key]
                for finding in found.findings:
                    facts |= finding.facts
                if found.decision is not None:
                    facts.update(a for o in found.decision.options for a in o.actions)
            self._found[stage] = frozenset(facts)
        return self._found[stage]


_PROSPECTS: dict[int, Prospects] = {}


def could_apply(step: Step, known: frozenset[str], possible: frozenset[str]) -> bool:
    """Whether ``step.when`` may yet hold: facts only accumulate, so a
    ``none`` fact already known rules it out for good."""
    when = step.when
    hoped = known | possible
    return (
        all(f in hoped for f in when.all)
        and (not when.any or any(f in hoped for f in when.any))
        and not any(f in known for f in when.none)
    )


# --- actions -------------------------------------------------------------------------


class _Index:
    """The algorithm's steps by key and, for each action, the steps that list
    it (and how) and the harms it can do, in the algorithm's order: a verdict
    looks at those alone rather than at every step and harm, for each of the
    explorer's many situations."""

    def __init__(self, algorithm: Algorithm) -> None:
        self._algorithm = weakref.ref(algorithm)  # cached beside it, never keeping it alive
        steps: dict[str, list[tuple[Step, ActionStatus]]] = {}
        for step in algorithm.steps:
            seen: set[str] = set()
            for listed, actions in (
                (ActionStatus.indicated, step.actions),
                (ActionStatus.acceptable, step.alternatives),
                (ActionStatus.low_value, step.low_value),
            ):
                for action in actions:
                    if action not in seen:  # the first list naming it says how
                        seen.add(action)
                        steps.setdefault(action, []).append((step, listed))
        harms: dict[str, list[Harm]] = {}
        for harm in algorithm.harms:
            for action in dict.fromkeys(harm.actions):
                harms.setdefault(action, []).append(harm)
        self.by_key = {step.key: step for step in algorithm.steps}
        self.steps = {a: tuple(found) for a, found in steps.items()}
        self.harms = {a: tuple(found) for a, found in harms.items()}

    @classmethod
    def of(cls, algorithm: Algorithm) -> _Index:
        found = _INDEXES.get(id(algorithm))
        if found is None or found._algorithm() is not algorithm:
            found = _INDEXES[id(algorithm)] = cls(algorithm)
            weakref.finalize(algorithm, _INDEXES.pop, id(algorithm), None)
        return found


_INDEXES: dict[int, _Index] = {}


def _harm_for(algorithm: Algorithm, known: frozenset[str], action: str) -> Harm | None:
    matching = [
        harm
        for harm in _Index.of(algorithm).harms.get(action, ())
        if harm.when.holds(known)
        and (not harm.after or not known.isdisjoint(harm.after))
        and known.isdisjoint(harm.unless_after)
    ]
    if not matching:
        return None
    # When one action matches several harms, the most severe one is the verdict:
    # one act gets one verdict, and the learner is told about the worst reason.
    return min(matching, key=lambda h: h.severity.rank)


@dataclass(frozen=True)
class Moment:
    """What a verdict may use: the facts known before the action, the actions
    taken at the same moment (one pick, one rank), and what the decision offered."""

    known: frozenset[str]
    together: frozenset[str]
    offered: frozenset[str]


def _applies(algorithm: Algorithm, step: Step, moment: Moment) -> bool:
    """The step is called for now: its condition holds, and no step it comes
    ``after`` is still to do here (applying, not done before or with it, and
    offered at this decision, so it could have come first)."""
    if not step.when.holds(moment.known):
        return False
    done = moment.known | moment.together
    for key in step.after:
        before = _Index.of(algorithm).by_key[key]
        wanted = {*before.actions, *before.alternatives}
        if (
            before.when.holds(moment.known)
            and done.isdisjoint(wanted)
            and not moment.offered.isdisjoint(wanted)
        ):
            return False
    return True


def _step_verdict(
    algorithm: Algorithm, moment: Moment, possible: frozenset[str], action: str
) -> tuple[ActionStatus, Step | None]:
    """The best verdict any step gives the action on what is known now."""
    best: tuple[ActionStatus, Step | None] = (ActionStatus.not_indicated, None)
    for step, listed in _Index.of(algorithm).steps.get(action, ()):
        if _applies(algorithm, step, moment):
            found = listed
        elif listed in MEETS and could_apply(step, moment.known, possible):
            found = ActionStatus.premature
        else:
            continue
        if found.rank > best[0].rank:
            best = (found, step)
    return best


@dataclass(frozen=True)
class _Judged:
    verdict: ActionVerdict
    moment: Moment  # when the action was taken


def _judge(algorithm: Algorithm, case: Case, taken: Sequence[TakenAction]) -> list[_Judged]:
    prospects = Prospects.of(case)
    chronological = sorted(taken, key=lambda t: t.time)  # stable within one time
    judged = []
    seen: set[str] = set()
    done_before: set[str] = set()  # actions taken strictly before the current time
    for _, same_time in groupby(chronological, key=lambda t: t.time):
        group = list(same_time)
        together = frozenset(t.action for t in group)
        for item in group:
            judged.append(_judge_one(algorithm, prospects, item, done_before, together, seen))
        done_before |= together
    return judged


def _judge_one(
    algorithm: Algorithm,
    prospects: Prospects,
    item: TakenAction,
    done_before: set[str],
    together: frozenset[str],
    seen: set[str],
) -> _Judged:
    """One action's verdict on what was known when it was taken."""
    known = item.facts_before | done_before
    moment = Moment(known, together, prospects.offered(item.stage))
    repeat = item.action in seen
    seen.add(item.action)
    harm = _harm_for(algorithm, known, item.action)
    if harm is not None:
        status, step, severity = ActionStatus.harmful, None, harm.severity
    else:
        possible = prospects.from_stage(item.stage)
        status, found = _step_verdict(algorithm, moment, possible, item.action)
        step, severity = (found.key if found else None), None
    rationale, citations = explanation(
        algorithm, status, item.action, harm.key if harm else None, step
    )
    verdict = ActionVerdict(
        action=item.action,
        time=item.time,
        decision=item.decision,
        stage=item.stage,
        option=item.option,
        verdict=status,
        severity=severity,
        harm=harm.key if harm else None,
        step=step,
        repeat=repeat,
        rationale=rationale,
        citations=citations,
    )
    return _Judged(verdict, moment)


def judge_actions(
    algorithm: Algorithm, case: Case, taken: Sequence[TakenAction]
) -> tuple[ActionVerdict, ...]:
    """A verdict for every action, in time order, each on what was known when
    it was taken: the facts before its decision and, in a put-in-order
    decision, the actions ranked before it. Nothing taken later counts."""
    return tuple(j.verdict for j in _judge(algorithm, case, taken))


def judge_decision(
    algorithm: Algorithm, case: Case, taken: Sequence[TakenAction], decision: int
) -> tuple[ActionVerdict, ...]:
    """The verdicts on one decision's actions, for practice feedback: the
    same function the debrief's verdicts come from, on the same facts."""
    so_far = [t for t in taken if t.decision <= decision]
    return tuple(v for v in judge_actions(algorithm, case, so_far) if v.decision == decision)


# --- steps ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Point:
    """A decision point with what the step rules need of it."""

    point: DecisionPoint
    shown_done: frozenset[str]  # actions known done that the learner did not take
    moment: Moment  # for a step due here: the actions one choice could hold with it


def _points(case: Case, points: Sequence[DecisionPoint], taken: Sequence[_Judged]) -> list[_Point]:
    by_decision: dict[int, set[str]] = {}
    for j in taken:
        by_decision.setdefault(j.verdict.decision, set()).add(j.verdict.action)
    found = []
    by_learner: set[str] = set()
    for point in points:
        # Only where one choice can hold both can a step be due with the step
        # it comes after: a pick-one decision offers one or the other.
        several = case.stages[point.stage].decision.type is not DecisionType.one
        together = frozenset(by_decision.get(point.index, ())) if several else frozenset()
        found.append(
            _Point(
                point,
                point.known - by_learner,
                Moment(point.known, together, point.offered),
            )
        )
        by_learner |= by_decision.get(point.index, set())
    return found


def _due(algorithm: Algorithm, step: Step, points: Sequence[_Point]) -> int | None:
    """The first decision at which the step applied on what was known and
    offered one of its actions; None if it never did, or if a finding showed
    it done before then (films brought to the visit)."""
    wanted = {*step.actions, *step.alternatives}
    for item in points:
        if not item.shown_done.isdisjoint(wanted):
            return None
        if not item.point.offered.isdisjoint(wanted) and _applies(algorithm, step, item.moment):
            return item.point.index
    return None


def _judge_steps(
    algorithm: Algorithm, case: Case, points: Sequence[DecisionPoint], taken: Sequence[_Judged]
) -> tuple[StepVerdict, ...]:
    judged: dict[str, tuple[Step, int, ActionVerdict | None]] = {}
    prepared = _points(case, points, taken)
    for step in algorithm.steps:
        due = _due(algorithm, step, prepared)
        if due is None:
            continue
        # Met by the first action of its list, taken from the decision it
        # became due on, that was not harmful and while the step applied.
        hit = next(
            (
                j.verdict
                for j in taken
                if j.verdict.decision >= due
                and j.verdict.verdict in MEETS
                and step.meets(j.verdict.action)
                and _applies(algorithm, step, j.moment)
            ),
            None,
        )
        if hit is None and step.weight == Weight.optional:
            continue  # optional: nothing lost when not done
        judged[step.key] = (step, due, hit)

    steps = []
    for key, (step, due, hit) in judged.items():
        common = {
            "step": key,
            "title": step.title,
            "weight": step.weight,
            "rationale": step.rationale,
            "citations": tuple(step.citations),
            "due": due,
        }
        if hit is None:
            steps.append(
                StepVerdict(
                    verdict=StepStatus.missed,
                    credit=0.0,
                    by_alternative=False,
                    action=None,
                    time=None,
                    **common,
                )
            )
            continue
        by_alternative = hit.action not in step.actions
        credit = ACCEPTABLE_CREDIT if by_alternative else Fraction(1)
        blocked = any(j.verdict.action in step.before and j.verdict.time < hit.time for j in taken)
        if hit.decision > due + step.within or blocked:
            status, credit = StepStatus.late, credit * LATE_FACTOR
        else:
            status = StepStatus.on_time
        steps.append(
            StepVerdict(
                verdict=status,
                credit=float(credit),
                by_alternative=by_alternative,
                action=hit.action,
                time=hit.time,
                option=hit.option,
                **common,
            )
        )
    return tuple(steps)


# --- the score -------------------------------------------------------------------------


def score(
    algorithm: Algorithm,
    case: Case,
    points: Sequence[DecisionPoint],
    taken: Sequence[TakenAction],
) -> Result:
    """Score one attempt at ``case``: the decisions it met and the actions it
    took. See docs/scoring.md for the formula."""
    judged = _judge(algorithm, case, taken)
    actions = tuple(j.verdict for j in judged)
    steps = _judge_steps(algorithm, case, points, judged)

    total = sum((weight_points(s.weight) for s in steps), Fraction(0))
    earned = sum((weight_points(s.weight) * Fraction(s.credit) for s in steps), Fraction(0))
    # Exact arithmetic, so 93.75 stays 93.75 and the rounding is the one documented.
    coverage = Fraction(100) * earned / total if total else Fraction(100)

    def distinct(status: ActionStatus) -> int:
        return len({a.action for a in actions if a.verdict is status})

    harms = {(a.harm, a.action): a.severity for a in actions if a.severity is not None}
    critical: dict[tuple[str | None, str], ActionVerdict] = {}
    for a in actions:
        if a.severity is Severity.critical:
            critical.setdefault((a.harm, a.action), a)  # the first time it happened
    penalties = {
        "premature": PENALTIES["premature"] * distinct(ActionStatus.premature),
        "not_indicated": PENALTIES["not_indicated"] * distinct(ActionStatus.not_indicated),
        "low_value": PENALTIES["low_value"] * distinct(ActionStatus.low_value),
        "harm": sum(HARM_PENALTIES[severity] for severity in harms.values()),
    }
    raw = min(max(coverage - sum(penalties.values()), Fraction(0)), Fraction(100))
    return Result(
        score=_round_half_up(raw),
        coverage=float(coverage),
        penalties=penalties,
        steps=steps,
        actions=actions,
        critical_errors=tuple(critical.values()),
        rubric_version=RUBRIC_VERSION,
    )


__all__ = [
    "ACCEPTABLE_CREDIT",
    "HARM_PENALTIES",
    "LATE_FACTOR",
    "PENALTIES",
    "RUBRIC_VERSION",
    "WEIGHTS",
    "ActionStatus",
    "ActionVerdict",
    "Prospects",
    "Result",
    "StepStatus",
    "StepVerdict",
    "could_apply",
    "explanation",
    "judge_actions",
    "judge_decision",
    "score",
    "weight_points",
]
