"""The three content documents: reference library, algorithm and case.

Pure Python (pydantic, no Django): the import command, the browser editor and
the engine all read documents through these models, so an author, the code
and the screens share one vocabulary. Rules that need more than one field of
one document (a citation key that must exist, a stage that must be reachable)
live in ``cases.checks``; this module checks shapes only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

KEY_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
ACTION_PATTERN = r"^[a-z][a-z0-9_]*\.[a-z0-9_.]+$"
PMID_PATTERN = r"^[0-9]{1,9}$"
# Crossref's recommended pattern: prefix "10.", a registrant code, a slash, a suffix.
DOI_PATTERN = r"^10\.[0-9]{4,9}/\S+$"

# Bidi embeddings, overrides and isolates, bidi marks, zero-width spaces and joiners,
# and the byte order mark: invisible, they make a line show other than what it holds
# (after U+202E the rest of a title reads backwards), or two lines look alike.
INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")

# Generous for real cases (the bundled ones have up to 19 stages and 8 options a
# decision; `make bench` imports one of 200 stages), and a bound on what every page
# that shows a whole case has to render.
MAX_STAGES = 200
MAX_OPTIONS = 12
MAX_FINDINGS = 50


def _visible(text: str) -> str:
    found = INVISIBLE.search(text)
    if found:
        code = ord(found.group())
        raise PydanticCustomError(
            "invisible_character",
            "contains U+{code} {name}, an invisible character that makes text read "
            "other than it shows; delete it",
            {"code": f"{code:04X}", "name": unicodedata.name(found.group())},
        )
    return text


Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=80)]
ActionKey = Annotated[str, StringConstraints(pattern=ACTION_PATTERN, max_length=80)]
Line = Annotated[str, AfterValidator(_visible)]  # one line of plain text, may be empty
Text = Annotated[Line, StringConstraints(strip_whitespace=True, min_length=1)]
Markdown = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
Citations = Annotated[list[Key], Field(default_factory=list)]


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --- reference library -----------------------------------------------------


class ReferenceKind(StrEnum):
    guideline = "guideline"
    consensus = "consensus"
    systematic_review = "systematic_review"
    trial = "trial"
    cohort = "cohort"
    case_series = "case_series"
    case_report = "case_report"
    review = "review"
    expert_opinion = "expert_opinion"


class Reference(Document):
    key: Key
    authors: Text
    title: Text
    journal: Text
    year: int = Field(ge=1800, le=2100)
    details: Line = ""  # volume, issue and pages, e.g. "40(3):e3687"
    pmid: Annotated[str, StringConstraints(pattern=PMID_PATTERN)] | None = None
    doi: Annotated[str, StringConstraints(pattern=DOI_PATTERN)] | None = None
    # Identifiers seen only in secondary sources: stored, shown, and always
    # labelled "unconfirmed" so nobody takes them as checked.
    unconfirmed: list[Literal["pmid", "doi", "authors", "title", "journal", "details", "year"]] = (
        Field(default_factory=list)
    )
    kind: ReferenceKind
    evidence: Text  # what the source supports and how strong it is

    @field_validator("pmid", "doi", mode="before")
    @classmethod
    def _identifiers_are_strings(cls, value: object) -> object:
        # YAML reads a bare PMID as an int; accept it as the string it is.
        return str(value) if isinstance(value, int) else value

    @property
    def unconfirmed_details(self) -> list[str]:
        """Unconfirmed fields other than the identifiers, which are flagged beside their links."""
        return [name for name in self.unconfirmed if name not in ("pmid", "doi")]

    @property
    def authors_text(self) -> str:
        """The authors without a closing full stop, so a citation can add its own."""
        return self.authors.rstrip(".")

    @property
    def kind_label(self) -> str:
        return self.kind.value.replace("_", " ").capitalize()

    @property
    def pubmed_url(self) -> str | None:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else None

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None


class Library(Document):
    document: Literal["library"]
    slug: Key
    title: Text
    references: list[Reference] = Field(min_length=1)


# --- conditions, shared by algorithms and cases ------------------------------


class Condition(Document):
    """True when every ``all`` fact holds, at least one ``any`` fact holds (if
    listed), and no ``none`` fact holds. A fact is a patient finding key or an
    action key the learner has already taken (action keys contain a dot)."""

    all: list[str] = Field(default_factory=list)
    any: list[str] = Field(default_factory=list)
    none: list[str] = Field(default_factory=list)

    def holds(self, facts: set[str] | frozenset[str]) -> bool:
        return (
            all(f in facts for f in self.all)
            and (not self.any or any(f in facts for f in self.any))
            and not any(f in facts for f in self.none)
        )

    def facts(self) -> list[str]:
        return [*self.all, *self.any, *self.none]


ALWAYS = Condition()


# --- algorithm ---------------------------------------------------------------


class Weight(StrEnum):
    """How much a step matters. Missing a critical step is a critical error;
    an optional one earns credit when done and costs nothing when not."""

    critical = "critical"
    essential = "essential"
    recommended = "recommended"
    optional = "optional"


# A step's weight: a named one, or a number of points an author chooses.
StepWeight = Weight | Annotated[float, Field(gt=0, le=100)]

# A fact is what conditions test: a finding key (no dot) or an action key (a dot).
Fact = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]


class Severity(StrEnum):
    """Declared most severe first: `rank` orders them, worst first."""

    critical = "critical"
    major = "major"
    minor = "minor"

    @cached_property
    def rank(self) -> int:
        return list(Severity).index(self)


class Action(Document):
    label: Text
    description: Line = ""
    # Why this action is or is not done: shown when it is judged not indicated,
    # premature or low value, with its own sources rather than the algorithm's.
    rationale: Markdown | None = None
    citations: Citations


class Step(Document):
    key: Key
    title: Text
    actions: list[ActionKey] = Field(min_length=1)  # preferred: indicated, full credit
    alternatives: list[ActionKey] = Field(default_factory=list)  # acceptable: meets the step
    low_value: list[ActionKey] = Field(default_factory=list)  # not first-line: meets nothing
    when: Condition = ALWAYS
    weight: StepWeight = Weight.recommended
    # The window in which the step is on time: the decision at which it became
    # due and ``within`` decisions more, and before any ``before`` action.
    within: int = Field(default=0, ge=0, le=50)
    before: list[ActionKey] = Field(default_factory=list)
    after: list[Key] = Field(default_factory=list)  # steps that should come first
    rationale: Markdown
    citations: Citations

    def meets(self, action: str) -> bool:
        return action in self.actions or action in self.alternatives


class Harm(Document):
    key: Key
    title: Text
    actions: list[ActionKey] = Field(min_length=1)
    when: Condition = ALWAYS
    # Facts (findings or actions): the harm is the action taken once any
    # ``after`` fact is known, and *before* any ``unless_after`` fact (e.g.
    # excision before a biopsy). Empty lists put no limit.
    after: list[Fact] = Field(default_factory=list)
    unless_after: list[Fact] = Field(default_factory=list)
    severity: Severity
    rationale: Markdown
    citations: Citations


class Extends(Document):
    """The algorithm version a topic variant builds on."""

    algorithm: Key
    version: int | None = Field(default=None, ge=1)  # the newest when left out


class Algorithm(Document):
    document: Literal["algorithm"]
    slug: Key
    title: Text
    topic: Text
    summary: Markdown
    # Set on a variant: the stored document is the base with the variant's
    # additions and overrides applied (cases.extends), so it never changes.
    extends: Extends | None = None
    citations: Citations  # the algorithm's main sources, shown with its summary
    findings: dict[Key, Text] = Field(min_length=1)  # finding key -> what it means
    actions: dict[ActionKey, Action] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    harms: list[Harm] = Field(default_factory=list)

    def step(self, key: str) -> Step:
        return next(s for s in self.steps if s.key == key)


# --- case --------------------------------------------------------------------


class FindingKind(StrEnum):
    history = "history"
    exam = "exam"
    lab = "lab"
    imaging = "imaging"
    microbiology = "microbiology"
    pathology = "pathology"
    impression = "impression"


class Flag(StrEnum):
    high = "high"
    low = "low"
    abnormal = "abnormal"
    normal = "normal"


# The name an attached image is stored under (cases.images): the SHA-256 of its bytes,
# its width and height in pixels, and its type. Made from the content, so one image is
# stored once, a name never changes meaning, and the page knows the size before loading.
IMAGE_FILE_PATTERN = r"^[0-9a-f]{64}-[1-9][0-9]{0,4}x[1-9][0-9]{0,4}\.(png|jpg|webp)$"
IMAGE_FILE = re.compile(IMAGE_FILE_PATTERN)


class FindingImage(Document):
    """A radiograph or a clinical photo shown with a finding."""

    file: Annotated[str, StringConstraints(pattern=IMAGE_FILE_PATTERN)]
    alt: Annotated[Text, StringConstraints(max_length=500)]  # what it shows, for a screen reader
    caption: Annotated[Line, StringConstraints(max_length=500)] = ""

    @property
    def width(self) -> int:
        return int(self.file.split("-", 1)[1].split("x", 1)[0])

    @property
    def height(self) -> int:
        return int(self.file.split("x", 1)[1].split(".", 1)[0])


class Finding(Document):
    """Something the clinician learns. With a ``key`` it also becomes a fact
    about the patient that conditions (algorithm steps, harms, routes) test."""

    key: Key | None = None
    kind: FindingKind = FindingKind.exam
    label: Text
    value: Line = ""
    unit: Line = ""
    range: Line = ""  # reference range, as printed on a lab report
    flag: Flag | None = None
    report: str = ""  # Markdown: an imaging or pathology report
    image: FindingImage | None = None
    # Actions this finding shows were already done (films brought to the
    # visit): they count as done before the first decision.
    done: list[ActionKey] = Field(default_factory=list)

    @property
    def facts(self) -> frozenset[str]:
        """What learning this finding makes known: its key, and the actions it shows done."""
        return frozenset([self.key, *self.done] if self.key else self.done)

    @field_validator("value", "range", mode="before")
    @classmethod
    def _numbers_are_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int | float) else value


class Route(Document):
    when: Condition = ALWAYS
    stage: Key


# ``next`` is a stage key, or routes tried in order (first match wins; the
# last route must have no ``when`` so that every path leads somewhere).
Next = Key | list[Route]


class Expect(StrEnum):
    """The verdict an option's author expects the rubric to give it: the
    worst verdict on its actions (``cases.explorer.option_verdict``)."""

    best = "best"
    acceptable = "acceptable"
    low_value = "low_value"
    premature = "premature"
    not_indicated = "not_indicated"
    harmful_minor = "harmful_minor"
    harmful_major = "harmful_major"
    harmful_critical = "harmful_critical"

    @property
    def label(self) -> str:
        """As an author reads it: "not indicated", "harmful (major)"."""
        kind, _, severity = self.value.partition("_")
        if kind == "harmful":
            return f"harmful ({severity})"
        return self.value.replace("_", " ")


class Option(Document):
    key: Key
    label: Text
    # Every option does something, if only deliberately waiting (wait.*):
    # cases.checks requires one. Not a shape rule, so that case versions
    # stored before rubric version 2 still load.
    actions: list[ActionKey] = Field(default_factory=list)
    # The author's key; validation proves the rubric gives this verdict on
    # every path that reaches the option.
    expect: Expect | None = None
    next: Next | None = None
    feedback: Markdown
    citations: Citations


class DecisionType(StrEnum):
    one = "one"  # pick one
    several = "several"  # pick several
    order = "order"  # put all options in order


class Decision(Document):
    prompt: Text
    type: DecisionType = DecisionType.one
    options: list[Option] = Field(min_length=2, max_length=MAX_OPTIONS)
    next: Next | None = None  # for "several" and "order"; a default for "one"
    min: int | None = Field(default=None, ge=1)  # pick-several bounds
    max: int | None = Field(default=None, ge=1)

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


class Outcome(StrEnum):
    good = "good"
    fair = "fair"
    poor = "poor"


class Stage(Document):
    title: Text
    narrative: Markdown
    findings: list[Finding] = Field(default_factory=list, max_length=MAX_FINDINGS)
    decision: Decision | None = None
    outcome: Outcome | None = None  # set on terminal stages, which have no decision


class Patient(Document):
    summary: Text  # "62-year-old man with type 2 diabetes"
    age: int = Field(ge=0, le=120)
    sex: Literal["female", "male", "other"]
    findings: list[Finding] = Field(default_factory=list, max_length=MAX_FINDINGS)


class Difficulty(StrEnum):
    introductory = "introductory"
    intermediate = "intermediate"
    advanced = "advanced"


class Case(Document):
    document: Literal["case"]
    slug: Key
    title: Text
    presentation: Text  # one line for the catalogue
    algorithm: Key
    algorithm_version: int | None = Field(default=None, ge=1)  # pinned on import
    difficulty: Difficulty = Difficulty.intermediate
    minutes: int = Field(default=15, ge=1, le=240)
    # Case-local facts that routes may test but the algorithm does not use.
    findings: dict[Key, Text] = Field(default_factory=dict)
    patient: Patient
    start: Key
    stages: dict[Key, Stage] = Field(min_length=2, max_length=MAX_STAGES)

    def offered_actions(self) -> frozenset[str]:
        """Every action some option of the case performs."""
        return frozenset(
            action
            for stage in self.stages.values()
            if stage.decision is not None
            for option in stage.decision.options
            for action in option.actions
        )


DOCUMENT_MODELS: dict[str, type[Library] | type[Algorithm] | type[Case]] = {
    "library": Library,
    "algorithm": Algorithm,
    "case": Case,
}

ParsedDocument = Library | Algorithm | Case


# --- what an attempt did ----------------------------------------------------------------
# Recorded by the engine as a learner decides, judged by the rubric: both read
# it here, so neither imports the other.

# (decision index, position). Position is 0 for every action of a pick-one or
# pick-several decision (they happen together) and the rank for put-in-order,
# so "strictly earlier" is plain tuple comparison.
Time = tuple[int, int]


@dataclass(frozen=True)
class TakenAction:
    """One algorithm action performed by one chosen option."""

    action: str
    time: Time
    decision: int  # index of the decision (0-based), the same as time[0]
    stage: str
    option: str
    # Findings and actions known before the choice that performed this action.
    facts_before: frozenset[str]


@dataclass(frozen=True)
class DecisionPoint:
    """One decision as the learner met it: what was known when it was shown,
    and the actions its options offered. Steps become due on these."""

    index: int
    stage: str
    known: frozenset[str]
    offered: frozenset[str]
