"""The exact explorer: what every path through a case scores, without listing them.

A case with a pick-several of eight options has hundreds of thousands of
paths, so a list of paths cannot prove anything about it. This module proves
three things exactly, by searching the case's states rather than its paths:

- the **verdict of every option** in every situation that reaches it: a
  verdict depends only on the stage, on the facts the algorithm's rules and
  the case's routes test (``Relevance``), and on the options picked with it,
  so each distinct situation is judged once;
- the **best** score and one **reference** path that reaches it, by
  branch and bound: a partial path's score can only lose penalties' worth of
  points, and its steps can at best all be met, which bounds every path
  through it;
- the **worst** score and one path that reaches it, the same way the other
  way round (and at once when a path scores 0, the floor).

Pure Python: the engine moves, the rubric judges. ``cases.paths`` shows the
author the capped list; the figures above come from here and are never capped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from cases.schema import (
    Algorithm,
    Case,
    DecisionType,
    Expect,
    Next,
    Severity,
    TakenAction,
)
from scoring import rubric
from simulator import engine

Choice = tuple[str, ...]


# --- an option's verdict ---------------------------------------------------------


def option_verdict(verdicts: Iterable[rubric.ActionVerdict]) -> str:
    """One option's verdict: the worst of its actions' verdicts, in the
    vocabulary of an author's key (``best``, ``acceptable``, ``low_value``,
    ``premature``, ``not_indicated``, ``harmful_minor`` ...)."""
    worst = min(
        verdicts,
        key=lambda v: (
            v.verdict.rank,
            v.severity.rank if v.severity is not None else len(Severity),
        ),
    )
    if worst.verdict is rubric.ActionStatus.harmful:
        assert worst.severity is not None  # noqa: S101 -- a harmful verdict has one
        return f"harmful_{worst.severity.value}"
    if worst.verdict is rubric.ActionStatus.indicated:
        return "best"
    return worst.verdict.value


# --- what a verdict can depend on ----------------------------------------------------


def _route_facts(nxt: Next | None) -> set[str]:
    if nxt is None or isinstance(nxt, str):
        return set()
    return {fact for route in nxt for fact in route.when.facts()}


def relevant_facts(algorithm: Algorithm, case: Case) -> frozenset[str]:
    """Every fact a verdict or a route can test: two states that agree on
    these, at the same stage, lead to the same verdicts and the same stages."""
    facts: set[str] = set()
    prerequisites = {key for step in algorithm.steps for key in step.after}
    for step in algorithm.steps:
        facts |= set(step.when.facts())
        if step.key in prerequisites:
            facts |= {*step.actions, *step.alternatives}
    for harm in algorithm.harms:
        facts |= set(harm.when.facts()) | set(harm.after) | set(harm.unless_after)
    for stage in case.stages.values():
        if stage.decision is not None:
            facts |= _route_facts(stage.decision.next)
            for option in stage.decision.options:
                facts |= _route_facts(option.next)
    return frozenset(facts)


def judge(
    algorithm: Algorithm, case: Case, state: engine.State, choice: Choice
) -> tuple[engine.State, tuple[rubric.ActionVerdict, ...]]:
    after = engine.advance(case, state, choice)
    now: list[TakenAction] = [t for t in after.taken if t.decision == state.decided]
    return after, rubric.judge_actions(algorithm, case, now)


@dataclass(frozen=True)
class Situation:
    """One way to reach an option: where, and what was picked with it."""

    stage: str
    choice: Choice
    path: tuple[Choice, ...]  # one shortest path to the decision
    state: engine.State  # where that path leaves the learner


@dataclass
class OptionVerdicts:
    """Every verdict an option gets, each with one situation that shows it.
    In a put-in-order decision the key is about the author's order (the
    options as listed); other orders are judged too, and kept apart."""

    found: dict[str, Situation] = field(default_factory=dict)
    reordered: dict[str, Situation] = field(default_factory=dict)

    @property
    def verdicts(self) -> frozenset[str]:
        return frozenset(self.found)

    @property
    def every(self) -> frozenset[str]:
        return frozenset(self.found) | frozenset(self.reordered)


@dataclass
class Explored:
    """What judging every decision situation of a case found."""

    options: dict[tuple[str, str], OptionVerdicts]  # (stage, option) -> its verdicts
    situations: int  # distinct decision situations judged
    steps: set[str]  # steps some option meets (taught by the case)
    harms: set[str]  # harms some option commits


def option_verdicts(algorithm: Algorithm, case: Case) -> Explored:
    """Every verdict each option gets on any path. Breadth first, so the
    situation kept for each verdict comes with a shortest path."""
    relevant = relevant_facts(algorithm, case)
    start = engine.start(case)
    queue: list[tuple[engine.State, tuple[Choice, ...]]] = [(start, ())]
    seen = {(start.stage, start.facts & relevant)}
    explored = Explored({}, 0, set(), set())
    while queue:
        state, path = queue.pop(0)
        if state.finished:
            continue
        decision = case.stages[state.stage].decision
        assert decision is not None  # noqa: S101 -- validated cases only
        listed = tuple(o.key for o in decision.options)
        ordered = decision.type is DecisionType.order
        for choice in engine.possible_choices(decision):
            explored.situations += 1
            after, verdicts = judge(algorithm, case, state, choice)
            for verdict in verdicts:
                if verdict.harm is not None:
                    explored.harms.add(verdict.harm)
                elif verdict.step is not None and verdict.verdict in rubric.MEETS:
                    explored.steps.add(verdict.step)
            for option in choice:
                mine = [v for v in verdicts if v.option == option]
                if not mine:
                    continue
                entry = explored.options.setdefault((state.stage, option), OptionVerdicts())
                kept = entry.reordered if ordered and choice != listed else entry.found
                kept.setdefault(option_verdict(mine), Situation(state.stage, choice, path, state))
            mark = (after.stage, after.facts & relevant)
            if mark not in seen:
                seen.add(mark)
                queue.append((after, (*path, choice)))
    return explored


# --- best and worst scores -------------------------------------------------------


def _round(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def _ceiling(algorithm: Algorithm, result: rubric.Result) -> int:
    """The highest score any completion of this partial path can reach.
    Penalties only grow; steps judged so far keep their credit or, if missed
    so far, may still be met; steps not judged yet may all become due and be
    met."""
    judged = {s.step for s in result.steps}
    weight = earned = pending = Fraction(0)
    for step in result.steps:
        points = rubric.weight_points(step.weight)
        weight += points
        earned += points * Fraction(step.credit)
        if step.verdict is rubric.StepStatus.missed:
            pending += points
    more = sum(
        (rubric.weight_points(s.weight) for s in algorithm.steps if s.key not in judged),
        Fraction(0),
    )
    coverage = Fraction(100) * (earned + pending + more) / (weight + more) if weight + more else 100
    return _round(min(max(coverage - result.penalty_total, Fraction(0)), Fraction(100)))


def _signature(state: engine.State, result: rubric.Result) -> tuple:
    """Everything the rest of a path's score depends on: two partial paths
    with one signature have the same futures, so one is explored."""
    return (
        state.stage,
        state.facts,
        state.decided,
        tuple((s.step, s.verdict, s.due, s.credit) for s in result.steps),
        frozenset((a.verdict, a.action, a.harm) for a in result.actions),
    )


@dataclass(frozen=True)
class Extreme:
    score: int
    path: tuple[Choice, ...]


def _children(case: Case, state: engine.State) -> Iterator[tuple[Choice, engine.State]]:
    decision = case.stages[state.stage].decision
    assert decision is not None  # noqa: S101 -- validated cases only
    for choice in engine.possible_choices(decision):
        yield choice, engine.advance(case, state, choice)


def _search(
    algorithm: Algorithm,
    case: Case,
    *,
    best: bool,
    end: str | None = None,
    clean: bool = False,
) -> tuple[Extreme | None, int]:
    """Depth first, the most promising child first; a partial path whose
    ceiling cannot beat the best found is cut (best), and the search stops
    at a score that cannot be bettered (100, or 0 for the worst). With
    ``end``, only paths ending there count; with ``clean``, only paths
    without a critical error (one never goes away, so such a path is cut
    as soon as it makes one). None when no path qualifies."""
    found: Extreme | None = None
    goal = 100 if best else 0
    expanded = 0
    seen: set[tuple] = set()
    start = engine.start(case)
    # As in engine.all_paths, a path that comes back to a (stage, facts) it has
    # been in is not followed round the loop again: it would find nothing new.
    Item = tuple[engine.State, tuple[Choice, ...], frozenset[tuple[str, frozenset[str]]]]
    stack: list[Item] = [(start, (), frozenset({(start.stage, start.facts)}))]
    while stack and not (found is not None and found.score == goal):
        state, path, been = stack.pop()
        expanded += 1
        children = []
        for choice, after in _children(case, state):
            mark = (after.stage, after.facts)
            if mark in been:
                continue
            result = rubric.score(algorithm, case, after.points, after.taken)
            longer = (*path, choice)
            if clean and result.critical_count:
                continue
            if after.finished:
                if end is not None and after.stage != end:
                    continue
                if found is None or (
                    result.score > found.score if best else result.score < found.score
                ):
                    found = Extreme(result.score, longer)
                continue
            signature = _signature(after, result)
            if signature in seen:
                continue
            seen.add(signature)
            ceiling = _ceiling(algorithm, result)
            rank = (ceiling, result.score) if best else (-result.score,)
            children.append((rank, after, longer, been | {mark}))
        children.sort(key=lambda item: item[0])  # the most promising is pushed last
        for rank, after, longer, been_after in children:
            if best and found is not None and rank[0] <= found.score:
                continue
            stack.append((after, longer, been_after))
    return found, expanded


def best_path(algorithm: Algorithm, case: Case) -> tuple[Extreme, int]:
    """The best score and one path that reaches it, and the states expanded."""
    found, expanded = _search(algorithm, case, best=True)
    assert found is not None  # noqa: S101 -- a validated case has a path to an end
    return found, expanded


def worst_path(algorithm: Algorithm, case: Case) -> tuple[Extreme, int]:
    """The worst score and one path that reaches it, and the states expanded."""
    found, expanded = _search(algorithm, case, best=False)
    assert found is not None  # noqa: S101 -- a validated case has a path to an end
    return found, expanded


def best_clean_path_to(algorithm: Algorithm, case: Case, end: str) -> Extreme | None:
    """The best path that ends at ``end`` without a critical error, if any."""
    found, _ = _search(algorithm, case, best=True, end=end, clean=True)
    return found


# --- the author's keys ---------------------------------------------------------------


def _labels(case: Case, situation: Situation) -> str:
    """The path to a situation as the author reads it: the options' labels,
    decision by decision (the stage of each choice is the one entered before it)."""
    shown = []
    for stage, choice in zip(situation.state.visited, situation.path, strict=False):
        decision = case.stages[stage].decision
        assert decision is not None  # noqa: S101 -- a path only holds choices made at decisions
        shown.append(" + ".join(f"“{decision.option(key).label}”" for key in choice))
    return " → ".join(shown)


def _rule(algorithm: Algorithm, case: Case, situation: Situation, option: str) -> str:
    """Why the rubric gave its verdict: the harm, the step, or what is missing."""
    state = situation.state
    _, verdicts = judge(algorithm, case, state, situation.choice)
    mine = [v for v in verdicts if v.option == option]
    worst = min(mine, key=lambda v: v.verdict.rank)
    label = (
        algorithm.actions[worst.action].label if worst.action in algorithm.actions else worst.action
    )
    if worst.harm is not None:
        harm = next(h for h in algorithm.harms if h.key == worst.harm)
        return f"“{label}” matches the harm '{harm.key}' ({harm.title})"
    if worst.step is not None:
        step = algorithm.step(worst.step)
        if worst.verdict is rubric.ActionStatus.premature:
            missing = [f for f in (*step.when.all, *step.when.any) if f not in state.facts]
            need = f": not yet known: {', '.join(missing)}" if missing else ""
            return f"the step '{step.key}' ({step.title}) does not apply yet{need}"
        return (
            f"“{label}” is {worst.verdict.label.lower()} for the step '{step.key}' ({step.title})"
        )
    listing = [
        s.key for s in algorithm.steps if s.meets(worst.action) or worst.action in s.low_value
    ]
    if listing:
        return (
            f"the steps that call for “{label}” ({', '.join(listing)}) cannot apply on this "
            "path: a fact they need is never revealed"
        )
    return f"no step of the algorithm calls for “{label}”"


@dataclass(frozen=True)
class KeyMismatch:
    stage: str
    option: str
    expected: str
    verdict: str  # what the rubric gives on ``path``
    path: str  # one shortest path to the decision that shows it, as labels ("" at the start)
    together: str  # the options picked with it there, as labels ("" for none)
    rule: str

    @property
    def where(self) -> str:
        place = f"after {self.path}" if self.path else "at the first decision"
        return f"{place}, picked with {self.together}" if self.together else place


def key_mismatches(algorithm: Algorithm, case: Case) -> list[KeyMismatch]:
    """Every keyed option whose rubric verdict differs from its key on some
    path, each with one shortest path that shows it and the rule that gave it."""
    mismatches = []
    for (stage, key), verdicts in prove(algorithm, case).explored.options.items():
        decision = case.stages[stage].decision
        option = decision.option(key) if decision else None
        if option is None or option.expect is None:
            continue
        for verdict, situation in verdicts.found.items():
            if verdict != option.expect.value:
                mismatches.append(
                    KeyMismatch(
                        stage=stage,
                        option=key,
                        expected=option.expect.value,
                        verdict=verdict,
                        path=_labels(case, situation),
                        together=" + ".join(
                            f"“{decision.option(k).label}”" for k in situation.choice if k != key
                        ),
                        rule=_rule(algorithm, case, situation, key),
                    )
                )
    return mismatches


# --- everything at once --------------------------------------------------------------


@dataclass(frozen=True)
class OptionProof:
    stage: str
    option: str
    label: str
    expect: str | None  # the author's key
    verdicts: tuple[str, ...]  # every verdict the rubric gives it, worst first
    # Put-in-order only: verdicts in orders other than the author's.
    reordered: tuple[str, ...] = ()

    @property
    def shown(self) -> list[tuple[str, str]]:
        """(style, words) for each verdict: the badges of the Paths page."""
        return [_shown(v) for v in self.verdicts]

    @property
    def expect_shown(self) -> str:
        return Expect(self.expect).label if self.expect else ""

    @property
    def matches(self) -> bool | None:
        """Whether the key holds on every path (None when there is no key)."""
        if self.expect is None:
            return None
        return self.verdicts == (self.expect,)

    def to_dict(self) -> dict:
        return {
            "stage": self.stage,
            "option": self.option,
            "verdicts": list(self.verdicts),
            "reordered": list(self.reordered),
            "expect": self.expect,
            "matches": self.matches,
        }


@dataclass(frozen=True)
class Proof:
    """What the explorer proved about a case: exact, whatever its size."""

    best: Extreme
    worst: Extreme
    options: tuple[OptionProof, ...]  # in the case's stage and option order
    situations: int  # distinct decision situations judged
    steps: frozenset[str]  # steps some option of the case meets
    harms: frozenset[str]  # harms some option of the case commits
    explored: Explored  # the situations behind the verdicts, for further checks

    def to_dict(self) -> dict:
        return {
            "exact": True,
            "best": self.best.score,
            "worst": self.worst.score,
            "reference": {"choices": [list(c) for c in self.best.path], "score": self.best.score},
            "worst_path": {
                "choices": [list(c) for c in self.worst.path],
                "score": self.worst.score,
            },
            "situations": self.situations,
            "options": [o.to_dict() for o in self.options],
        }


ORDER = {e.value: i for i, e in enumerate(Expect)}


def _shown(verdict: str) -> tuple[str, str]:
    if verdict == "best":
        return "indicated", "best"
    style = "harmful" if verdict.startswith("harmful_") else verdict
    return style, Expect(verdict).label


def _worst_first(verdicts: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(verdicts, key=lambda v: -ORDER[v]))


def prove(algorithm: Algorithm, case: Case) -> Proof:
    """The best and worst scores with a path to each, and every option's
    verdicts. Remembered per pair of documents: the editor, the importer and
    the Paths page ask again for the same case each time it is saved,
    imported or shown unchanged."""
    return _prove(algorithm.model_dump_json(), case.model_dump_json())


@lru_cache(maxsize=64)
def _prove(algorithm_json: str, case_json: str) -> Proof:
    algorithm = Algorithm.model_validate_json(algorithm_json)
    case = Case.model_validate_json(case_json)
    explored = option_verdicts(algorithm, case)
    found = explored.options
    options = []
    for stage_key, stage in case.stages.items():
        if stage.decision is None:
            continue
        for option in stage.decision.options:
            verdicts = found.get((stage_key, option.key))
            options.append(
                OptionProof(
                    stage=stage_key,
                    option=option.key,
                    label=option.label,
                    expect=option.expect.value if option.expect else None,
                    # Worst first; empty for an option on no path (the case's checks say so).
                    verdicts=_worst_first(verdicts.verdicts if verdicts else ()),
                    reordered=_worst_first(verdicts.every - verdicts.verdicts if verdicts else ()),
                )
            )
    best, _ = best_path(algorithm, case)
    worst, _ = worst_path(algorithm, case)
    return Proof(
        best=best,
        worst=worst,
        options=tuple(options),
        situations=explored.situations,
        steps=frozenset(explored.steps),
        harms=frozenset(explored.harms),
        explored=explored,
    )
