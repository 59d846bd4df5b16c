"""The case engine: where a learner is in a case, and what a choice does.

Pure Python, no Django. The state of an attempt is never stored: it is
``replay(case, choices)`` over the attempt's append-only choices, so any app
server can rebuild it from the database and a crash loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, islice, permutations

from cases.schema import (
    Case,
    Decision,
    DecisionPoint,
    DecisionType,
    Finding,
    Next,
    Option,
    Stage,
    TakenAction,
)

Choice = tuple[str, ...]


class InvalidChoice(ValueError):
    """A choice the current stage cannot accept. The message is meant for the
    learner, so it names options by their labels."""


class BrokenCase(ValueError):
    """The case document cannot go on from here (no next stage, a stage that
    does not exist, a stage with neither decision nor outcome). The validator
    should have refused such a case; this is an authoring error, not the
    learner's."""


@dataclass(frozen=True)
class State:
    stage: str
    # Patient finding keys revealed so far plus every action key taken: the
    # facts that conditions (routes, steps, harms) test.
    facts: frozenset[str]
    visited: tuple[str, ...]  # stage keys entered, in order, from case.start
    taken: tuple[TakenAction, ...]
    # Each decision made, with what was known and offered then: the rubric
    # judges every verdict on these, never on what was learned later.
    points: tuple[DecisionPoint, ...]
    decided: int  # decisions made so far, i.e. the next decision's index
    finished: bool  # the current stage is terminal (has an outcome)


def _stage(case: Case, key: str) -> Stage:
    try:
        return case.stages[key]
    except KeyError:
        raise BrokenCase(f"The case has no stage '{key}'.") from None


def _finding_keys(findings: Iterable[Finding]) -> frozenset[str]:
    return frozenset().union(*(finding.facts for finding in findings))


def start(case: Case) -> State:
    stage = _stage(case, case.start)
    return State(
        stage=case.start,
        facts=_finding_keys(case.patient.findings) | _finding_keys(stage.findings),
        visited=(case.start,),
        taken=(),
        points=(),
        decided=0,
        finished=stage.outcome is not None,
    )


def _label(option: Option) -> str:
    return f"“{option.label}”"


def _listing(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def read_choice(
    decision: Decision, options: Sequence[str], positions: Mapping[str, int | None]
) -> list[str]:
    """The option keys a decision's form sent, in the learner's order: the
    options ticked (pick one, pick several), or for put-in-order every option
    by the position given it (``positions``: option key to its whole number,
    None where the field was not one). InvalidChoice when a position is
    missing or repeated; ``advance`` judges everything else."""
    if decision.type is DecisionType.one:
        return list(options[:2])  # two are enough to say "pick exactly one"
    if decision.type is DecisionType.several:
        return list(options)
    ranked = []
    for option in decision.options:
        rank = positions.get(option.key)
        if rank is None:
            raise InvalidChoice("Give every option a position.")
        ranked.append((rank, option.key))
    if sorted(rank for rank, _ in ranked) != list(range(1, len(ranked) + 1)):
        raise InvalidChoice(f"Give each option a different position, from 1 to {len(ranked)}.")
    return [key for _, key in sorted(ranked)]


def _check_choice(decision: Decision, picked: Sequence[str]) -> list[Option]:
    """The chosen options, in the given order, or InvalidChoice."""
    by_key = {o.key: o for o in decision.options}
    unknown = [k for k in picked if k not in by_key]
    if unknown:
        names = _listing([f"'{k}'" for k in unknown])
        offered = _listing([_label(o) for o in decision.options])
        verb = "is not an option" if len(unknown) == 1 else "are not options"
        raise InvalidChoice(f"{names} {verb} at this stage. The options are {offered}.")

    repeated = [k for i, k in enumerate(picked) if k in picked[:i]]
    repeated_labels = _listing([_label(by_key[k]) for k in dict.fromkeys(repeated)])
    count = len(picked)

    if decision.type is DecisionType.one:
        if count != 1:
            got = "none" if count == 0 else _plural(count, "option")
            raise InvalidChoice(f"Pick exactly one option; you picked {got}.")
    elif decision.type is DecisionType.several:
        if count == 0:
            raise InvalidChoice("Pick at least one option.")
        if repeated:
            raise InvalidChoice(
                f"{repeated_labels} was picked more than once; pick each option once."
            )
        low = decision.min or 1
        high = decision.max or len(decision.options)
        if count < low:
            raise InvalidChoice(f"Pick at least {_plural(low, 'option')}; you picked {count}.")
        if count > high:
            raise InvalidChoice(f"Pick at most {_plural(high, 'option')}; you picked {count}.")
    else:
        if repeated:
            raise InvalidChoice(
                f"{repeated_labels} appears more than once in the order; place each option exactly once."
            )
        missing = [_label(o) for o in decision.options if o.key not in picked]
        if missing:
            raise InvalidChoice(
                f"The order leaves out {_listing(missing)}; place every option exactly once."
            )
    return [by_key[k] for k in picked]


def _resolve(nxt: Next, facts: frozenset[str], where: str) -> str:
    if isinstance(nxt, str):
        return nxt
    for route in nxt:
        if route.when.holds(facts):
            return route.stage
    raise BrokenCase(f"No route out of stage '{where}' matches; the last route needs no condition.")


def _next_of(decision: Decision, chosen: Sequence[Option]) -> Next | None:
    # The first chosen option (in the decision's own order, so that a
    # pick-several is order-blind) that names a next wins; else the decision's.
    chosen_keys = {o.key for o in chosen}
    for option in decision.options:
        if option.key in chosen_keys and option.next is not None:
            return option.next
    return decision.next


def advance(case: Case, state: State, choice: Sequence[str]) -> State:
    """Apply one choice: the option keys picked (one for pick-one; a set for
    pick-several, performed together; every option, ranked, for put-in-order)."""
    if isinstance(choice, str):
        # A bare string would be read as a sequence of one-letter keys.
        raise TypeError("A choice is a sequence of option keys, not a string.")
    picked = list(choice)
    if state.finished:
        raise InvalidChoice("This case is finished; no more choices can be made.")
    stage = _stage(case, state.stage)
    decision = stage.decision
    if decision is None:
        raise BrokenCase(f"Stage '{state.stage}' has neither a decision nor an outcome.")
    chosen = _check_choice(decision, picked)

    index = state.decided
    ranked = decision.type is DecisionType.order
    taken = tuple(
        TakenAction(
            action=action,
            time=(index, rank if ranked else 0),
            decision=index,
            stage=state.stage,
            option=option.key,
            facts_before=state.facts,
        )
        for rank, option in enumerate(chosen)
        for action in option.actions
    )
    facts = state.facts | {t.action for t in taken}

    nxt = _next_of(decision, chosen)
    if nxt is None:
        raise BrokenCase(f"Stage '{state.stage}' does not say where its decision leads.")
    key = _resolve(nxt, facts, state.stage)
    entered = _stage(case, key)
    return State(
        stage=key,
        facts=facts | _finding_keys(entered.findings),
        visited=(*state.visited, key),
        taken=(*state.taken, *taken),
        points=(
            *state.points,
            DecisionPoint(
                index=index,
                stage=state.stage,
                known=state.facts,
                offered=frozenset(a for o in decision.options for a in o.actions),
            ),
        ),
        decided=index + 1,
        finished=entered.outcome is not None,
    )


def replay(case: Case, choices: Iterable[Sequence[str]]) -> State:
    state = start(case)
    for choice in choices:
        state = advance(case, state, choice)
    return state


def revealed_findings(case: Case, state: State) -> list[tuple[str | None, Finding]]:
    """(stage key, finding) pairs, patient findings first (stage None), then
    each visited stage's findings once, in the order the stages were entered."""
    shown: list[tuple[str | None, Finding]] = [(None, f) for f in case.patient.findings]
    seen: set[str] = set()
    for key in state.visited:
        if key in seen:
            continue
        seen.add(key)
        shown.extend((key, f) for f in _stage(case, key).findings)
    return shown


# --- path enumeration ----------------------------------------------------------


def possible_choices(decision: Decision) -> Iterator[Choice]:
    """Every valid choice at a decision, lazily (callers cap with islice)."""
    keys = [o.key for o in decision.options]
    if decision.type is DecisionType.one:
        yield from ((k,) for k in keys)
    elif decision.type is DecisionType.several:
        low = decision.min or 1
        high = min(decision.max or len(keys), len(keys))
        for size in range(low, high + 1):
            yield from combinations(keys, size)
    else:
        yield from permutations(keys)


@dataclass(frozen=True)
class Path:
    choices: tuple[Choice, ...]
    state: State  # the final state: always finished


@dataclass(frozen=True)
class Paths:
    paths: tuple[Path, ...]
    # True when a cap stopped the enumeration: there may be more paths.
    truncated: bool

    def __iter__(self) -> Iterator[Path]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


def all_paths(
    case: Case, limit: int = 1000, per_decision: int = 120, budget: int = 50_000
) -> Paths:
    """Complete paths (start to a terminal stage), depth first, options in
    document order, so the first path takes every decision's first choice.

    Caps: ``limit`` complete paths, ``per_decision`` choices tried at one
    decision (5 options put in order already give 120), ``budget`` states
    expanded. A path that comes back to a (stage, facts) state it has already
    been in is dropped: whatever follows the repeat was explored from the
    first visit, and a cycle would otherwise never end.
    """
    initial = start(case)
    found: list[Path] = []
    truncated = False
    expanded = 0
    stack: list[tuple[State, tuple[Choice, ...], frozenset[tuple[str, frozenset[str]]]]] = [
        (initial, (), frozenset({(initial.stage, initial.facts)}))
    ]
    while stack:
        state, choices, seen = stack.pop()
        if state.finished:
            found.append(Path(choices=choices, state=state))
            if len(found) >= limit:
                truncated = bool(stack)
                break
            continue
        expanded += 1
        if expanded > budget:
            truncated = True
            break
        decision = _stage(case, state.stage).decision
        if decision is None:
            raise BrokenCase(f"Stage '{state.stage}' has neither a decision nor an outcome.")
        candidates = list(islice(possible_choices(decision), per_decision + 1))
        if len(candidates) > per_decision:
            truncated = True
            candidates = candidates[:per_decision]
        children = []
        for choice in candidates:
            after = advance(case, state, choice)
            mark = (after.stage, after.facts)
            if mark in seen:
                continue
            children.append((after, (*choices, choice), seen | {mark}))
        # Reversed so the first option is explored first.
        stack.extend(reversed(children))
    return Paths(paths=tuple(found), truncated=truncated)
