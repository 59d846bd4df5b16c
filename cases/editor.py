"""What the case editor shows, built from a draft's working data.

The data may be invalid (a draft is written a field at a time), so every
value is read defensively and shown as the author typed it. Templates get
these plain objects and never walk the document themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from cases import editing, schema
from cases.graph import stages_of
from cases.validate import Problem

# Every stage's form lists every stage, so a page showing all of them grows as the
# square of the stages: past this many the editor opens one stage at a time.
ALL_OPEN_STAGES = 30


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _keys(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def finding_image(value: object) -> schema.FindingImage | None:
    """A finding's image as written, when it is one the pages can show."""
    try:
        return schema.FindingImage.model_validate(value) if isinstance(value, dict) else None
    except ValueError:  # pydantic's ValidationError; the validator says what is wrong
        return None


@dataclass(frozen=True)
class FindingRow:
    index: int
    key: str = ""
    kind: str = "exam"
    label: str = ""
    value: str = ""
    unit: str = ""
    range: str = ""
    flag: str = ""
    report: str = ""
    saved: bool = False  # a finding of the draft, not the empty row to add one
    image: schema.FindingImage | None = None


def finding_rows(value: object, spare: int = 1) -> list[FindingRow]:
    """The findings as rows, plus ``spare`` empty rows to add new ones."""
    rows = []
    for i, item in enumerate(value if isinstance(value, list) else []):
        item = item if isinstance(item, dict) else {}
        rows.append(
            FindingRow(
                i,
                **{name: _text(item.get(name)) for name in editing.FINDING_FIELDS if name in item},
                saved=True,
                image=finding_image(item.get("image")),
            )
        )
    rows += [FindingRow(len(rows) + i) for i in range(spare)]
    return rows


@dataclass(frozen=True)
class OptionPart:
    stage: str
    index: int
    key: str
    label: str
    actions: list[str]
    expect: str  # the author's key, "" when not given
    next: str
    routes: bool  # next is a list of routes: edited in the YAML tab
    feedback: str
    citations: list[str]
    problems: list[Problem] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"option-{self.stage}-{self.index}"


@dataclass(frozen=True)
class StagePart:
    key: str
    title: str
    narrative: str
    outcome: str
    findings: list[FindingRow]
    has_decision: bool
    prompt: str
    type: str
    next: str
    routes: bool
    min: str
    max: str
    options: list[OptionPart]
    is_start: bool
    problems: list[Problem] = field(default_factory=list)
    error: str = ""  # an edit refused, e.g. a key already in use
    typed_key: str = ""  # the key the author typed when it was refused

    @property
    def anchor(self) -> str:
        return f"stage-{self.key}"

    @property
    def shared_next(self) -> bool:
        return self.type in ("several", "order")

    @property
    def problem_count(self) -> int:
        return len(self.problems) + sum(len(o.problems) for o in self.options)


def _next(value: object) -> tuple[str, bool]:
    if isinstance(value, list):
        return editing.ROUTES, True
    return _text(value), False


def stage_part(data: object, key: str, problems: Sequence[Problem] = ()) -> StagePart:
    stage = stages_of(data).get(key, {})
    decision = stage.get("decision")
    decision = decision if isinstance(decision, dict) else None
    options = []
    raw_options = decision.get("options") if decision else None
    for i, option in enumerate(raw_options if isinstance(raw_options, list) else []):
        option = option if isinstance(option, dict) else {}
        nxt, routes = _next(option.get("next"))
        prefix = f"stages.{key}.decision.options[{i}]"
        options.append(
            OptionPart(
                stage=key,
                index=i,
                key=_text(option.get("key")),
                label=_text(option.get("label")),
                actions=_keys(option.get("actions")),
                expect=_text(option.get("expect")),
                next=nxt,
                routes=routes,
                feedback=_text(option.get("feedback")),
                citations=_keys(option.get("citations")),
                problems=[
                    p for p in problems if p.field == prefix or p.field.startswith(prefix + ".")
                ],
            )
        )
    nxt, routes = _next(decision.get("next") if decision else None)
    in_options = f"stages.{key}.decision.options["
    return StagePart(
        key=key,
        title=_text(stage.get("title")),
        narrative=_text(stage.get("narrative")),
        outcome=_text(stage.get("outcome")),
        findings=finding_rows(stage.get("findings")),
        has_decision=decision is not None,
        prompt=_text(decision.get("prompt")) if decision else "",
        type=_text(decision.get("type") or "one") if decision else "one",
        next=nxt,
        routes=routes,
        min=_text(decision.get("min")) if decision else "",
        max=_text(decision.get("max")) if decision else "",
        options=options,
        is_start=isinstance(data, dict) and data.get("start") == key,
        problems=[
            p
            for p in problems
            if editing.stage_of(p.field) == key and not p.field.startswith(in_options)
        ],
    )


@dataclass(frozen=True)
class FindingPlace:
    """Where a finding is in the editor: the patient's (stage None) or a stage's,
    and the part of the page that lists it."""

    stage: str | None
    index: int
    row: FindingRow

    @property
    def part(self) -> str:
        """How the finding's image page names the list: "patient" or "stage-KEY"."""
        return "patient" if self.stage is None else f"stage-{self.stage}"

    @property
    def anchor(self) -> str:
        return "patient-findings" if self.stage is None else f"stage-{self.stage}-findings"


def finding_at(data: object, part: str, index: int) -> FindingPlace | None:
    """The finding an image page is about (``part`` as FindingPlace.part names it),
    or None when the draft has no such finding."""
    if part == "patient":
        stage = None
        patient = data.get("patient") if isinstance(data, dict) else None
        findings = patient.get("findings") if isinstance(patient, dict) else None
    elif part.startswith("stage-") and part.removeprefix("stage-") in stages_of(data):
        stage = part.removeprefix("stage-")
        findings = stages_of(data)[stage].get("findings")
    else:
        return None
    rows = finding_rows(findings, spare=0)
    if not 0 <= index < len(rows) or not isinstance(findings[index], dict):
        return None
    return FindingPlace(stage, index, rows[index])


def over_limits(data: object) -> str:
    """Why the forms cannot show this draft, or "" when they can. A draft may break
    the validator's limits while it is written, but its forms would make a page too
    big to use: it is edited in the YAML tab until it fits."""
    stages = stages_of(data)
    if len(stages) > schema.MAX_STAGES:
        return f"it has more than {schema.MAX_STAGES} stages"
    patient = data.get("patient") if isinstance(data, dict) else None
    lists = [
        ("the patient", "findings", patient.get("findings") if isinstance(patient, dict) else None)
    ]
    for key, stage in stages.items():
        decision = stage.get("decision")
        lists.append((f"stage '{key}'", "findings", stage.get("findings")))
        options = decision.get("options") if isinstance(decision, dict) else None
        lists.append((f"stage '{key}'", "options", options))
    limits = {"findings": schema.MAX_FINDINGS, "options": schema.MAX_OPTIONS}
    for owner, name, items in lists:
        if isinstance(items, list) and len(items) > limits[name]:
            return f"{owner} has more than {limits[name]} {name}"
    return ""


@dataclass(frozen=True)
class Details:
    slug: str
    title: str
    presentation: str
    difficulty: str
    minutes: str
    start: str
    algorithm: str
    algorithm_version: str
    summary: str
    age: str
    sex: str
    findings: list[FindingRow]


def details(data: object) -> Details:
    data = data if isinstance(data, dict) else {}
    patient = data.get("patient") if isinstance(data.get("patient"), dict) else {}
    return Details(
        slug=_text(data.get("slug")),
        title=_text(data.get("title")),
        presentation=_text(data.get("presentation")),
        difficulty=_text(data.get("difficulty") or "intermediate"),
        minutes=_text(data.get("minutes") or 15),
        start=_text(data.get("start")),
        algorithm=_text(data.get("algorithm")),
        algorithm_version=_text(data.get("algorithm_version")),
        summary=_text(patient.get("summary")),
        age=_text(patient.get("age")),
        sex=_text(patient.get("sex")),
        findings=finding_rows(patient.get("findings")),
    )


class ReferenceChoice(NamedTuple):
    """A reference as the citations picker offers it: its title first, then who and when."""

    key: str
    title: str
    byline: str  # first author and year; the author left out while unconfirmed


@dataclass(frozen=True)
class Menus:
    """What the editor's selects offer."""

    stages: list[str]
    actions: list[tuple[str, str]]  # key, label
    references: list[ReferenceChoice]
    findings: list[tuple[str, str]]  # key, meaning
    kinds: list[str] = field(default_factory=lambda: [k.value for k in schema.FindingKind])
    flags: list[str] = field(default_factory=lambda: [f.value for f in schema.Flag])
    outcomes: list[str] = field(default_factory=lambda: [o.value for o in schema.Outcome])
    verdicts: list[tuple[str, str]] = field(
        default_factory=lambda: [(e.value, e.label) for e in schema.Expect]
    )
    types: list[tuple[str, str]] = field(
        default_factory=lambda: [
            ("one", "Pick one"),
            ("several", "Pick several"),
            ("order", "Put in order"),
        ]
    )
    difficulties: list[str] = field(default_factory=lambda: [d.value for d in schema.Difficulty])
    sexes: tuple[str, ...] = ("female", "male", "other")

    @property
    def finding_keys(self) -> set[str]:
        return {key for key, _ in self.findings}

    @property
    def action_keys(self) -> set[str]:
        return {key for key, _ in self.actions}

    @property
    def reference_keys(self) -> set[str]:
        return {ref.key for ref in self.references}


def menus(
    data: object, algorithm: schema.Algorithm | None, references: Mapping[str, Mapping]
) -> Menus:
    local = data.get("findings") if isinstance(data, dict) else None
    findings = dict(algorithm.findings) if algorithm else {}
    if isinstance(local, dict):
        findings.update({str(k): _text(v) for k, v in local.items()})
    return Menus(
        stages=list(stages_of(data)),
        actions=[(k, a.label) for k, a in algorithm.actions.items()] if algorithm else [],
        references=sorted(
            (
                ReferenceChoice(key, _text(ref.get("title")) or key, _byline(ref))
                for key, ref in references.items()
            ),
            key=lambda choice: choice.title.lower(),
        ),
        findings=sorted(findings.items()),
    )


def _first_author(reference: Mapping) -> str:
    authors = _text(reference.get("authors"))
    first = authors.split(",")[0].strip()
    return first + (" et al." if "," in authors else "")


def _byline(reference: Mapping) -> str:
    """First author and year, e.g. "Senneville É et al. 2024"; authors not yet confirmed
    are left out (the library holds a placeholder for them)."""
    unconfirmed = reference.get("unconfirmed")
    if isinstance(unconfirmed, list) and "authors" in unconfirmed:
        return _text(reference.get("year"))
    return f"{_first_author(reference)} {_text(reference.get('year'))}".strip()


@dataclass(frozen=True)
class ProblemView:
    problem: Problem
    anchor: str
    stage: str | None


def problem_views(problems: Sequence[Problem]) -> list[ProblemView]:
    return [ProblemView(p, editing.anchor(p.field), editing.stage_of(p.field)) for p in problems]
