"""Rules that span fields or documents, run after the schema accepts a document.

Each check returns ``(path, message)`` pairs; the caller turns a path into a
file and line. Pure Python: the import command and the browser editor share it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set

from cases.schema import (
    Action,
    Algorithm,
    Case,
    Condition,
    Decision,
    DecisionType,
    Finding,
    Harm,
    Library,
    Next,
    Stage,
    Step,
)
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
        yield from _facts((*path, part), getattr(condition, part), facts, actions)


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


RATIONALE_NEEDED = (
    "say why this action is or is not done: it explains a verdict of not indicated, "
    "premature or low value"
)


def check_action(path: Path, action: Action, references: Set[str]) -> Iterator[Found]:
    if action.rationale is None:
        yield (*path, "rationale"), RATIONALE_NEEDED
    yield from _citations(path, action.citations, references, required=False)


def check_step(
    path: Path,
    step: Step,
    step_keys: Counter,
    facts: Set[str],
    actions: Set[str],
    references: Set[str],
    *,
    every_key_known: bool = True,
) -> Iterator[Found]:
    """One step; ``step_keys`` counts the algorithm's step keys (all of them
    unless ``every_key_known`` is False, when a missing one is not reported)."""
    if step_keys[step.key] > 1:
        yield (*path, "key"), f"step key '{step.key}' is used twice"
    for part in ("actions", "alternatives", "low_value", "before"):
        for j, action in enumerate(getattr(step, part)):
            if action not in actions:
                yield (*path, part, j), f"'{action}' is not in the algorithm's actions"
    for j, before in enumerate(step.after):
        if before == step.key:
            yield (*path, "after", j), "a step cannot come after itself"
        elif every_key_known and before not in step_keys:
            yield (*path, "after", j), f"no step '{before}'"
    yield from _condition((*path, "when"), step.when, facts, actions)
    yield from _citations(path, step.citations, references, required=True)


def check_harm(
    path: Path,
    harm: Harm,
    harm_keys: Counter,
    facts: Set[str],
    actions: Set[str],
    references: Set[str],
) -> Iterator[Found]:
    if harm_keys[harm.key] > 1:
        yield (*path, "key"), f"harm key '{harm.key}' is used twice"
    for j, action in enumerate(harm.actions):
        if action not in actions:
            yield (*path, "actions", j), f"'{action}' is not in the algorithm's actions"
    yield from _facts((*path, "after"), harm.after, facts, actions)
    yield from _facts((*path, "unless_after"), harm.unless_after, facts, actions)
    yield from _condition((*path, "when"), harm.when, facts, actions)
    yield from _citations(path, harm.citations, references, required=True)


def check_citations(path: Path, keys: list[str], references: Set[str]) -> Iterator[Found]:
    """A list of citations at least one long, each in the library."""
    return _citations(path, keys, references, required=True)


def check_algorithm(algorithm: Algorithm, references: Set[str]) -> Iterator[Found]:
    actions = set(algorithm.actions)
    facts = set(algorithm.findings)
    yield from check_citations((), algorithm.citations, references)
    for key, action in algorithm.actions.items():
        yield from check_action(("actions", key), action, references)
    step_keys = Counter(step.key for step in algorithm.steps)
    for i, step in enumerate(algorithm.steps):
        yield from check_step(("steps", i), step, step_keys, facts, actions, references)
    yield from order_cycles(algorithm.steps)
    harm_keys = Counter(harm.key for harm in algorithm.harms)
    for i, harm in enumerate(algorithm.harms):
        yield from check_harm(("harms", i), harm, harm_keys, facts, actions, references)


def order_cycles(steps: Sequence[Step]) -> Iterator[Found]:
    """A loop in the steps' ``after`` order, reported at the step it starts from."""
    after = {step.key: set(step.after) for step in steps}
    index = {step.key: i for i, step in enumerate(steps)}
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


def edges_of(stages: Mapping[str, Stage]) -> dict[str, list[str]]:
    """Every stage each stage can lead to, whichever option or route is taken."""
    edges: dict[str, list[str]] = {}
    for key, stage in stages.items():
        targets: list[str] = []
        if stage.decision:
            for option in stage.decision.options:
                targets += [t for _, t in _targets(option.next or stage.decision.next)]
        edges[key] = [t for t in dict.fromkeys(targets) if t in stages]
    return edges


def stage_edges(case: Case) -> dict[str, list[str]]:
    return edges_of(case.stages)


def reach(start: Iterable[str], edges: dict[str, list[str]]) -> set[str]:
    """Every stage reachable from ``start`` along ``edges`` (``start`` included)."""
    seen, todo = set(start), list(start)
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def no_algorithm(name: str, version: int | None) -> str:
    return f"no algorithm '{name}'" + (f" version {version}" if version else "")


def check_findings(
    path: Path, findings: Iterable[tuple[int | str, Finding]], facts: Set[str], actions: Set[str]
) -> Iterator[Found]:
    for i, finding in findings:
        if finding.key and finding.key not in facts:
            yield (*path, i, "key"), f"'{finding.key}' is not a declared finding"
        for j, action in enumerate(finding.done):
            if action not in actions:
                yield (*path, i, "done", j), f"'{action}' is not in the algorithm's actions"


def check_stage(
    path: Path,
    stage: Stage,
    stages: Set[str],
    facts: Set[str],
    actions: Set[str],
    references: Set[str],
) -> Iterator[Found]:
    """One stage, given the case's stage keys and the facts and actions it may name."""
    yield from check_findings((*path, "findings"), enumerate(stage.findings), facts, actions)
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


def check_graph(start: str | None, stages: Mapping[str, Stage]) -> Iterator[Found]:
    """Stages cut off from the start, and stages from which no path ends."""
    edges = edges_of(stages)
    if start in stages:
        reachable = reach({start}, edges)
        for key in stages:
            if key not in reachable:
                yield ("stages", key), f"stage '{key}' cannot be reached from the start"
    reverse: dict[str, list[str]] = {}
    for source, targets in edges.items():
        for target in targets:
            reverse.setdefault(target, []).append(source)
    can_end = reach({key for key, stage in stages.items() if stage.outcome}, reverse)
    for key in stages:
        if key not in can_end:
            yield ("stages", key), f"no path from stage '{key}' reaches an end"


def check_case(case: Case, algorithm: Algorithm | None, references: Set[str]) -> Iterator[Found]:
    if algorithm is None:
        yield ("algorithm",), no_algorithm(case.algorithm, case.algorithm_version)
        return
    actions = set(algorithm.actions)
    facts = set(algorithm.findings) | set(case.findings)
    for key in case.findings:
        if key in algorithm.findings:
            yield ("findings", key), f"'{key}' is already declared by the algorithm"
    yield from check_findings(
        ("patient", "findings"), enumerate(case.patient.findings), facts, actions
    )
    if case.start not in case.stages:
        yield ("start",), f"no stage '{case.start}'"
    for key, stage in case.stages.items():
        yield from check_stage(("stages", key), stage, set(case.stages), facts, actions, references)
    yield from check_graph(case.start, case.stages)
