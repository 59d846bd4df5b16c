"""The rubric: judge an attempt's actions against the reference algorithm.

Pure Python, no Django, and nothing of the engine: the scorer is a function
of the algorithm and case documents, the actions taken (with the facts known
when each was taken, as the engine recorded them in ``cases.schema.TakenAction``)
and the patient's final facts. A stored score can therefore be
recomputed at any time from an attempt's append-only actions.

The formula is written down in ``docs/scoring.md``; any change to what a
verdict means or how points are counted must bump ``RUBRIC_VERSION`` so that
old scores stay labelled with the rubric that produced them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from cases.schema import Algorithm, Case, Harm, Severity, Step, TakenAction, Time, Weight

RUBRIC_VERSION = 1

WEIGHTS: Mapping[Weight, int] = {Weight.essential: 2, Weight.recommended: 1}
PREFERRED_CREDIT = Fraction(1)
ALTERNATIVE_CREDIT = Fraction(1, 2)
ORDER_PENALTY = 5
NOT_INDICATED_PENALTY = 2
HARM_PENALTIES: Mapping[Severity, int] = {
    Severity.critical: 30,
    Severity.major: 15,
    Severity.minor: 5,
}

NOT_INDICATED_RATIONALE = "No step of the reference algorithm calls for this for this patient."


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

    @property
    def rank(self) -> int:
        return list(type(self)).index(self)


class StepStatus(Verdict):
    missed = "missed", "Missed"
    met_out_of_order = "met_out_of_order", "Met, but out of order"
    met_alternative = "met_alternative", "Met by an acceptable alternative"
    met = "met", "Met"


class ActionStatus(Verdict):
    harmful = "harmful", "Harmful"
    not_indicated = "not_indicated", "Not indicated"
    indicated = "indicated", "Indicated"


@dataclass(frozen=True)
class StepVerdict:
    step: str
    title: str
    weight: Weight
    verdict: StepStatus
    credit: float  # 1.0, 0.5 or 0.0
    by_alternative: bool
    action: str | None  # the action that satisfied the step, if any
    time: Time | None
    # Steps listed in ``after`` that were met only later than this one.
    should_follow: tuple[str, ...]
    rationale: str
    citations: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "weight": self.weight.value,
            "verdict": self.verdict.value,
            "credit": self.credit,
            "by_alternative": self.by_alternative,
            "action": self.action,
            "time": list(self.time) if self.time is not None else None,
            "should_follow": list(self.should_follow),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], algorithm: Algorithm) -> StepVerdict:
        step = algorithm.step(data["step"])
        return cls(
            step=data["step"],
            title=step.title,
            weight=Weight(data["weight"]),
            verdict=StepStatus(data["verdict"]),
            credit=float(data["credit"]),
            by_alternative=bool(data["by_alternative"]),
            action=data["action"],
            time=_time(data["time"]) if data["time"] is not None else None,
            should_follow=tuple(data["should_follow"]),
            rationale=step.rationale,
            citations=tuple(step.citations),
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
    step: str | None  # the step that calls for it, for indicated
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
        rationale, citations = _explanation(algorithm, data["harm"], data["step"])
        return cls(
            action=data["action"],
            time=_time(data["time"]),
            decision=int(data["decision"]),
            stage=data["stage"],
            option=data["option"],
            verdict=ActionStatus(data["verdict"]),
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
    penalties: dict[str, int]  # named parts: out_of_order, not_indicated, harm
    steps: tuple[StepVerdict, ...]  # applicable steps, in algorithm order
    actions: tuple[ActionVerdict, ...]  # every taken action, in time order
    critical_errors: tuple[ActionVerdict, ...]
    rubric_version: int = RUBRIC_VERSION

    @property
    def penalty_total(self) -> int:
        return sum(self.penalties.values())

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
        penalties = {str(k): int(v) for k, v in data["penalties"].items()}
        return cls(
            score=int(data["score"]),
            coverage=float(data["coverage"]),
            penalties=penalties,
            steps=tuple(StepVerdict.from_dict(s, algorithm) for s in data["steps"]),
            actions=tuple(ActionVerdict.from_dict(a, algorithm) for a in data["actions"]),
            critical_errors=tuple(
                ActionVerdict.from_dict(a, algorithm) for a in data["critical_errors"]
            ),
            # An old score keeps the version it was computed under.
            rubric_version=int(data["rubric_version"]),
        )


def _explanation(
    algorithm: Algorithm, harm: str | None, step: str | None
) -> tuple[str, tuple[str, ...]]:
    """Why an action got its verdict: its harm's reasons, its step's, or the
    algorithm's own sources for an action no step calls for."""
    if harm is not None:
        found = next(h for h in algorithm.harms if h.key == harm)
        return found.rationale, tuple(found.citations)
    if step is not None:
        found_step = algorithm.step(step)
        return found_step.rationale, tuple(found_step.citations)
    return NOT_INDICATED_RATIONALE, tuple(algorithm.citations)


def _time(value: Sequence[int]) -> Time:
    first, second = value
    return (int(first), int(second))


# --- the rules ---------------------------------------------------------------


def step_applies(step: Step, facts: frozenset[str], offered: frozenset[str]) -> bool:
    """A step counts for this patient when its condition holds and the case
    lets the learner do it at all: a case that offers none of a step's actions
    cannot fairly mark it missed."""
    return step.when.holds(facts) and not offered.isdisjoint([*step.actions, *step.alternatives])


def _chronological(taken: Iterable[TakenAction]) -> list[TakenAction]:
    # Stable: actions at the same time keep the order they were given in.
    return sorted(taken, key=lambda t: t.time)


def _earliest(taken: Sequence[TakenAction], actions: Sequence[str]) -> TakenAction | None:
    wanted = set(actions)
    return next((t for t in taken if t.action in wanted), None)


def _judge_steps(
    algorithm: Algorithm,
    taken: Sequence[TakenAction],
    facts: frozenset[str],
    offered: frozenset[str],
) -> tuple[StepVerdict, ...]:
    applicable = [s for s in algorithm.steps if step_applies(s, facts, offered)]
    # The satisfying action: the earliest preferred action if any preferred
    # one was taken, else the earliest alternative. Its time is "when the step
    # was done", both for the step itself and for steps that list it in after.
    satisfied: dict[str, tuple[TakenAction, bool]] = {}
    for step in applicable:
        preferred = _earliest(taken, step.actions)
        if preferred is not None:
            satisfied[step.key] = (preferred, False)
            continue
        alternative = _earliest(taken, step.alternatives)
        if alternative is not None:
            satisfied[step.key] = (alternative, True)

    verdicts = []
    for step in applicable:
        common = {
            "step": step.key,
            "title": step.title,
            "weight": step.weight,
            "rationale": step.rationale,
            "citations": tuple(step.citations),
        }
        if step.key not in satisfied:
            verdicts.append(
                StepVerdict(
                    verdict=StepStatus.missed,
                    credit=0.0,
                    by_alternative=False,
                    action=None,
                    time=None,
                    should_follow=(),
                    **common,
                )
            )
            continue
        hit, by_alternative = satisfied[step.key]
        # Only prerequisites that apply and were met can be violated: a missed
        # prerequisite is already paid for as a missed step.
        should_follow = tuple(
            key for key in step.after if key in satisfied and hit.time < satisfied[key][0].time
        )
        if should_follow:
            status = StepStatus.met_out_of_order
        elif by_alternative:
            status = StepStatus.met_alternative
        else:
            status = StepStatus.met
        verdicts.append(
            StepVerdict(
                verdict=status,
                credit=float(ALTERNATIVE_CREDIT if by_alternative else PREFERRED_CREDIT),
                by_alternative=by_alternative,
                action=hit.action,
                time=hit.time,
                should_follow=should_follow,
                **common,
            )
        )
    return tuple(verdicts)


def _harm_for(algorithm: Algorithm, item: TakenAction, earlier: frozenset[str]) -> Harm | None:
    # Actions of the same choice that were ranked earlier (put-in-order) are
    # not in facts_before, but they did happen first.
    context = item.facts_before | earlier
    matching = [
        harm
        for harm in algorithm.harms
        if item.action in harm.actions
        and harm.when.holds(context)
        and earlier.isdisjoint(harm.unless_after)
    ]
    if not matching:
        return None
    # When one action matches several harms, the most severe one is the verdict:
    # one act gets one verdict, and the learner is told about the worst reason.
    return min(matching, key=lambda h: h.severity.rank)


def _indicating_step(
    algorithm: Algorithm,
    item: TakenAction,
    facts: frozenset[str],
    offered: frozenset[str],
) -> Step | None:
    # Indicated if the step applies at the end or applied when the action was
    # taken: a learner is not blamed for a test that was right at the time.
    return next(
        (
            step
            for step in algorithm.steps
            if item.action in (*step.actions, *step.alternatives)
            and (
                step_applies(step, facts, offered) or step_applies(step, item.facts_before, offered)
            )
        ),
        None,
    )


def _judge_actions(
    algorithm: Algorithm,
    taken: Sequence[TakenAction],
    facts: frozenset[str],
    offered: frozenset[str],
) -> list[tuple[TakenAction, ActionVerdict]]:
    judged: list[tuple[TakenAction, ActionVerdict]] = []
    seen: set[str] = set()
    for item in taken:
        where = {
            "action": item.action,
            "time": item.time,
            "decision": item.decision,
            "stage": item.stage,
            "option": item.option,
        }
        # Every occurrence is judged on what was known when it was taken (an MRI
        # after films is fine even if an earlier one was not); a repeat is only
        # marked, and counted once in the penalties (see ``score``).
        repeat = item.action in seen
        seen.add(item.action)
        earlier = frozenset(t.action for t in taken if t.time < item.time)
        harm = _harm_for(algorithm, item, earlier)
        if harm is not None:
            verdict = ActionVerdict(
                verdict=ActionStatus.harmful,
                severity=harm.severity,
                harm=harm.key,
                step=None,
                repeat=repeat,
                rationale=harm.rationale,
                citations=tuple(harm.citations),
                **where,
            )
        elif (step := _indicating_step(algorithm, item, facts, offered)) is not None:
            verdict = ActionVerdict(
                verdict=ActionStatus.indicated,
                severity=None,
                harm=None,
                step=step.key,
                repeat=repeat,
                rationale=step.rationale,
                citations=tuple(step.citations),
                **where,
            )
        else:
            verdict = ActionVerdict(
                verdict=ActionStatus.not_indicated,
                severity=None,
                harm=None,
                step=None,
                repeat=repeat,
                rationale=NOT_INDICATED_RATIONALE,
                citations=tuple(algorithm.citations),
                **where,
            )
        judged.append((item, verdict))
    return judged


def _round_half_up(value: Fraction) -> int:
    # Python's round() rounds halves to even (62.5 -> 62); a score that a
    # learner can check by hand should round halves up.
    return math.floor(value + Fraction(1, 2))


def score(
    algorithm: Algorithm,
    case: Case,
    taken: Sequence[TakenAction],
    final_facts: frozenset[str],
) -> Result:
    """Score one attempt at `case`: the actions it took, and the patient's
    facts at its end. See docs/scoring.md for the formula."""
    offered = case.offered_actions()
    chronological = _chronological(taken)
    steps = _judge_steps(algorithm, chronological, final_facts, offered)
    actions = tuple(v for _, v in _judge_actions(algorithm, chronological, final_facts, offered))

    total_weight = sum(WEIGHTS[s.weight] for s in steps)
    earned = sum((WEIGHTS[s.weight] * Fraction(s.credit) for s in steps), Fraction(0))
    # Exact arithmetic, so 93.75 stays 93.75 and the rounding is the one documented.
    coverage = Fraction(100) * earned / total_weight if total_weight else Fraction(100)

    harm_pairs = {(a.harm, a.action): a.severity for a in actions if a.severity is not None}
    critical: dict[tuple[str | None, str], ActionVerdict] = {}
    for a in actions:
        if a.severity is Severity.critical:
            critical.setdefault((a.harm, a.action), a)  # the first time it happened
    penalties = {
        "out_of_order": ORDER_PENALTY
        * sum(1 for s in steps if s.verdict is StepStatus.met_out_of_order),
        "not_indicated": NOT_INDICATED_PENALTY
        * len({a.action for a in actions if a.verdict is ActionStatus.not_indicated}),
        "harm": sum(HARM_PENALTIES[severity] for severity in harm_pairs.values()),
    }
    penalty_total = sum(penalties.values())
    raw = min(max(coverage - penalty_total, Fraction(0)), Fraction(100))
    return Result(
        score=_round_half_up(raw),
        coverage=float(coverage),
        penalties=penalties,
        steps=steps,
        actions=actions,
        critical_errors=tuple(critical.values()),
        rubric_version=RUBRIC_VERSION,
    )


def judge_choice(
    algorithm: Algorithm,
    case: Case,
    taken_now: Sequence[TakenAction],
    taken_before: Sequence[TakenAction],
    facts_now: frozenset[str],
) -> tuple[ActionVerdict, ...]:
    """Verdicts on the actions of one decision, for practice-mode feedback.

    The same rules as ``score``, applied to the attempt so far with the facts
    known now. The final score may still differ for an action whose indicating
    step only applies once later findings are revealed.
    """
    now = set(map(id, taken_now))
    judged = _judge_actions(
        algorithm,
        _chronological([*taken_before, *taken_now]),
        facts_now,
        case.offered_actions(),
    )
    return tuple(v for item, v in judged if id(item) in now)


__all__ = [
    "ALTERNATIVE_CREDIT",
    "HARM_PENALTIES",
    "NOT_INDICATED_PENALTY",
    "NOT_INDICATED_RATIONALE",
    "ORDER_PENALTY",
    "RUBRIC_VERSION",
    "WEIGHTS",
    "ActionStatus",
    "ActionVerdict",
    "Result",
    "StepStatus",
    "StepVerdict",
    "judge_choice",
    "score",
    "step_applies",
]
