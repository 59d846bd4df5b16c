"""Rules that span fields or documents, run after the schema accepts a document.

Each check returns ``(path, message)`` pairs; the caller turns a path into a
file and line. Pure Python: the import command and the browser editor share it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Set

from cases.schema import Algorithm, Case, Condition, Decision, DecisionType, Library, Next
from cases.yamlmap import Path

Found = tuple[Path, str]

NO_KEY = (
    "give the verdict you expect the rubric to give this option (expect: best, acceptable, "
    "low_value, premature, not_indicated or harmful_minor/major/critical): validation proves "
    "it on every path"
)
NO_ACTION = (
    "every option does something the rubric can judge: name at least one action; to "
    "choose to wait, name a waiting action such as wait.watchful_waiting"
)


def _citations(
    path: Path, keys: list[str], references: Set[str], required: bool
) -> Iterator[Found]:
    if required and not keys:
        yield (*path, "citations"), "cite at least one reference"
    for i, key in enumerate(keys):
        if key not in references:
            yield (*path, "citations", i), f"no reference '{key}' in the reference library"


def _condition(
    path: Path, condition: Condition, facts: Set[str], actions: Set[str]
) -> Iterator[Found]:
    for part in ("all", "any", "none"):
        for i, fact in enumerate(getattr(condition, part)):
            if fact not in facts and fact not in actions:
                kind = "action" if "." in fact else "finding"
                yield (*path, part, i), f"'{fact}' is not a declared {kind}"


def check_library(library: Library) -> Iterator[Found]:
    seen: set[str] = set()
    for i, ref in enumerate(library.references):
        if ref.key in seen:
            yield ("references", i, "key"), f"reference key '{ref.key}' is used twice"
        seen.add(ref.key)
        for j, name in enumerate(ref.unconfirmed):
            if getattr(ref, name) in (None, ""):
                yield (
                    ("references", i, "unconfirmed", j),
                    f"'{name}' is not given, so it cannot be unconfirmed",
                )


def _facts(path: Path, listed: list[str], facts: Set[str], actions: Set[str]) -> Iterator[Found]:
    for j, fact in enumerate(listed):
        if fact not in facts and fact not in actions:
            kind = "action" if "." in fact else "finding"
            yield (*path, j), f"'{fact}' is not a declared {kind}"


def check_algorithm(algorithm: Algorithm, references: Set[str]) -> Iterator[Found]:
    actions = set(algorithm.actions)
    facts = set(algorithm.findings)
    yield from _citations((), algorithm.citations, references, required=True)
    for key, action in algorithm.actions.items():
        path: Path = ("actions", key)
        if action.rationale is None:
            yield (
                (*path, "rationale"),
                "say why this action is or is not done: it explains a verdict of not "
                "indicated, premature or low value",
            )
        yield from _citations(path, action.citations, references, required=False)

    step_keys = Counter(step.key for step in algorithm.steps)
    for i, step in enumerate(algorithm.steps):
        path = ("steps", i)
        if step_keys[step.key] > 1:
            yield (*path, "key"), f"step key '{step.key}' is used twice"
        for part in ("actions", "alternatives", "low_value", "before"):
            for j, action in enumerate(getattr(step, part)):
                if action not in actions:
                    yield (*path, part, j), f"'{action}' is not in the algorithm's actions"
        for j, before in enumerate(step.after):
            if before not in step_keys:
                yield (*path, "after", j), f"no step '{before}'"
            elif before == step.key:
                yield (*path, "after", j), "a step cannot come after itself"
        yield from _condition((*path, "when"), step.when, facts, actions)
        yield from _citations(path, step.citations, references, required=True)
    yield from _order_cycles(algorithm)

    harm_keys = Counter(harm.key for harm in algorithm.harms)
    for i, harm in enumerate(algorithm.harms):
        path = ("harms", i)
        if harm_keys[harm.key] > 1:
            yield (*path, "key"), f"harm key '{harm.key}' is used twice"
        for j, action in enumerate(harm.actions):
            if action not in actions:
                yield (*path, "actions", j), f"'{action}' is not in the algorithm's actions"
        yield from _facts((*path, "after"), harm.after, facts, actions)
        yield from _facts((*path, "unless_after"), harm.unless_after, facts, actions)
        yield from _condition((*path, "when"), harm.when, facts, actions)
        yield from _citations(path, harm.citations, references, required=True)


def _order_cycles(algorithm: Algorithm) -> Iterator[Found]:
    after = {step.key: set(step.after) for step in algorithm.steps}
    index = {step.key: i for i, step in enumerate(algorithm.steps)}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(key: str) -> str | None:
        state[key] = 1
        for before in after.get(key, ()):
            if state.get(before) == 1:
                return before
            if before in after and before not in state and (found := visit(before)):
                return found
        state[key] = 2
        return None

    for key in after:
        if key not in state and (found := visit(key)):
            yield ("steps", index[key], "after"), f"the order of steps loops back to '{found}'"
            return


def _targets(next_: Next | None) -> list[tuple[Path, str]]:
    if next_ is None:
        return []
    if isinstance(next_, str):
        return [((), next_)]
    return [((i, "stage"), route.stage) for i, route in enumerate(next_)]


def _routes(path: Path, next_: Next | None, facts: Set[str], actions: Set[str]) -> Iterator[Found]:
    if not isinstance(next_, list):
        return
    if not next_:
        yield path, "list at least one route"
        return
    for i, route in enumerate(next_):
        route_path = (*path, i)
        yield from _condition((*route_path, "when"), route.when, facts, actions)
    if next_[-1].when.facts():
        yield (
            (*path, len(next_) - 1),
            "the last route must have no 'when', so every path leads somewhere",
        )


def _decision(
    path: Path, decision: Decision, stages: Set[str], facts: Set[str], actions: Set[str]
) -> Iterator[Found]:
    keys = Counter(option.key for option in decision.options)
    several = decision.type is not DecisionType.one
    if several and decision.next is None:
        yield (*path, "next"), f"a '{decision.type}' decision needs its own 'next'"
    if decision.type is not DecisionType.several and (decision.min or decision.max):
        yield (*path, "min"), "'min' and 'max' apply to 'several' decisions only"
    high = decision.max or len(decision.options)
    if decision.min and decision.min > high:
        yield (*path, "min"), f"'min' ({decision.min}) is more than can be picked ({high})"
    if decision.max and decision.max > len(decision.options):
        yield (
            (*path, "max"),
            f"'max' ({decision.max}) is more than the {len(decision.options)} options",
        )
    for target_path, stage in _targets(decision.next):
        if stage not in stages:
            yield (*path, "next", *target_path), f"no stage '{stage}'"
    yield from _routes((*path, "next"), decision.next, facts, actions)

    for i, option in enumerate(decision.options):
        option_path = (*path, "options", i)
        if keys[option.key] > 1:
            yield (*option_path, "key"), f"option key '{option.key}' is used twice in this decision"
        if several and option.next is not None:
            yield (
                (*option_path, "next"),
                f"options of a '{decision.type}' decision share the decision's 'next'",
            )
        if not several and option.next is None and decision.next is None:
            yield (*option_path, "next"), "this option leads nowhere: give it a 'next'"
        for j, action in enumerate(option.actions):
            if action not in actions:
                yield (*option_path, "actions", j), f"'{action}' is not in the algorithm's actions"
        for target_path, stage in _targets(option.next):
            if stage not in stages:
                yield (*option_path, "next", *target_path), f"no stage '{stage}'"
        yield from _routes((*option_path, "next"), option.next, facts, actions)


def stage_edges(case: Case) -> dict[str, list[str]]:
    """Every stage each stage can lead to, whichever option or route is taken."""
    edges: dict[str, list[str]] = {}
    for key, stage in case.stages.items():
        targets: list[str] = []
        if stage.decision:
            for option in stage.decision.options:
                targets += [t for _, t in _targets(option.next or stage.decision.next)]
        edges[key] = [t for t in dict.fromkeys(targets) if t in case.stages]
    return edges


def reach(start: Iterable[str], edges: dict[str, list[str]]) -> set[str]:
    """Every stage reachable from ``start`` along ``edges`` (``start`` included)."""
    seen, todo = set(start), list(start)
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def check_case(case: Case, algorithm: Algorithm | None, references: Set[str]) -> Iterator[Found]:
    if algorithm is None:
        yield (
            ("algorithm",),
            f"no algorithm '{case.algorithm}'"
            + (f" version {case.algorithm_version}" if case.algorithm_version else ""),
        )
        return
    actions = set(algorithm.actions)
    facts = set(algorithm.findings) | set(case.findings)
    stages = set(case.stages)
    for key in case.findings:
        if key in algorithm.findings:
            yield ("findings", key), f"'{key}' is already declared by the algorithm"

    def findings(path: Path, items: list) -> Iterator[Found]:
        for i, finding in enumerate(items):
            if finding.key and finding.key not in facts:
                yield (*path, i, "key"), f"'{finding.key}' is not a declared finding"
            for j, action in enumerate(finding.done):
                if action not in actions:
                    yield (*path, i, "done", j), f"'{action}' is not in the algorithm's actions"

    yield from findings(("patient", "findings"), case.patient.findings)
    if case.start not in stages:
        yield ("start",), f"no stage '{case.start}'"

    for key, stage in case.stages.items():
        path: Path = ("stages", key)
        yield from findings((*path, "findings"), stage.findings)
        if stage.decision and stage.outcome:
            yield (
                (*path, "outcome"),
                "a stage either asks a decision or ends the case with an outcome, not both",
            )
        elif not stage.decision and not stage.outcome:
            yield path, "give this stage a 'decision', or an 'outcome' if it ends the case"
        if stage.decision:
            yield from _decision((*path, "decision"), stage.decision, stages, facts, actions)
            for i, option in enumerate(stage.decision.options):
                option_path = (*path, "decision", "options", i)
                if not option.actions:
                    yield (*option_path, "actions"), NO_ACTION
                if option.expect is None:
                    yield (*option_path, "expect"), NO_KEY
                yield from _citations(option_path, option.citations, references, required=True)

    edges = stage_edges(case)
    if case.start in stages:
        reachable = reach({case.start}, edges)
        for key in case.stages:
            if key not in reachable:
                yield ("stages", key), f"stage '{key}' cannot be reached from the start"
    ends = {key for key, stage in case.stages.items() if stage.outcome}
    reverse: dict[str, list[str]] = {}
    for source, targets in edges.items():
        for target in targets:
            reverse.setdefault(target, []).append(source)
    can_end = reach(ends, reverse)
    for key in case.stages:
        if key not in can_end:
            yield ("stages", key), f"no path from stage '{key}' reaches an end"
