"""Validate content documents and report every problem as ``file:line: field: message``.

One entry point for the ``validate_content`` and ``import_content`` commands
and the browser editor, so a document means the same thing wherever it is
checked. Pure Python; ``python -m cases.validate PATH...`` runs it without
Django.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from copy import copy
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, create_model

from cases import checks, explorer
from cases.extends import Resolved, resolve
from cases.messages import WRONG_SHAPE, plural, schema_message
from cases.schema import (
    DOCUMENT_MODELS,
    IMAGE_FILE,
    MAX_FINDINGS,
    MAX_STAGES,
    Action,
    ActionKey,
    Algorithm,
    Case,
    Document,
    Expect,
    Extends,
    Finding,
    Harm,
    Key,
    Library,
    ParsedDocument,
    Stage,
    Step,
)
from cases.yamlmap import Located, Path, YamlProblem, load

MAX_BYTES = 2_000_000  # a case is a few tens of kilobytes; anything this big is a mistake


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field or '(document)'}: {self.message}"


@dataclass
class Source:
    """One file's text, and once parsed, its document."""

    name: str
    text: str
    located: Located | None = None
    document: ParsedDocument | None = None
    # An algorithm variant: its ``extends`` as written, and once merged onto its
    # base, how the merged document's paths lead back to this file.
    extends: Extends | None = None
    variant: Resolved | None = None

    def problem(self, path: Path, message: str) -> Problem:
        line = self.located.line_of(path) if self.located else 1
        return Problem(self.name, line, field_name(path), message)

    def document_problem(self, path: Path, message: str) -> Problem:
        """A problem at ``path`` of the parsed document. A variant's document is
        merged onto its base: the problem goes to the line of this file the path
        came from, or to ``extends`` when the path is the base's, unchanged."""
        if self.variant is None:
            return self.problem(path, message)
        origin = self.variant.origin(path)
        if origin is None:
            return self.problem(
                ("extends",), f"{field_name(path)}, from {self.variant.base}: {message}"
            )
        return self.problem(origin, message)


# Resolves an algorithm already stored (slug, pinned version or None for the latest).
AlgorithmLookup = Callable[[str, int | None], Algorithm | None]


@dataclass
class Context:
    """What is already stored and may be cited, pinned or extended by the files checked."""

    references: frozenset[str] = frozenset()
    algorithm: AlgorithmLookup = lambda slug, version: None  # noqa: E731
    # The number of the newest stored version of an algorithm, None if none is.
    newest_version: Callable[[str], int | None] = lambda slug: None  # noqa: E731
    # Why a finding's image file cannot be shown (not stored, nor brought with the
    # files), or None when it can (cases.images.ImageSource). Left out, as when
    # checking files without Django, the images are not looked for.
    image_problem: Callable[[str], str | None] | None = None


@dataclass
class Report:
    sources: list[Source] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def documents(self, kind: type) -> list[tuple[Source, ParsedDocument]]:
        return [(s, s.document) for s in self.sources if isinstance(s.document, kind)]

    def summary(self) -> str:
        counts = {name: len(self.documents(model)) for name, model in DOCUMENT_MODELS.items()}
        parts = ", ".join(plural(n, name) for name, n in counts.items())
        if self.ok:
            return f"{plural(len(self.sources), 'file')} valid: {parts}."
        files = len({p.file for p in self.problems})
        return f"{plural(len(self.problems), 'problem')} in {plural(files, 'file')}."


def field_name(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def parse(source: Source) -> list[Problem]:
    """Parse one source in place; return its problems (the document stays None on any)."""
    if (
        len(source.text.encode(errors="replace")) > MAX_BYTES
    ):  # text from a form may hold lone surrogates
        return [Problem(source.name, 1, "", f"the file is over {MAX_BYTES // 1_000_000} MB")]
    try:
        source.located = load(source.text)
    except YamlProblem as problem:
        return [Problem(source.name, problem.line, field_name(problem.path), problem.message)]
    data = source.located.data
    if not isinstance(data, dict):
        return [source.problem((), "a document is a mapping of fields, starting with 'document:'")]
    model = DOCUMENT_MODELS.get(str(data.get("document")))
    if model is None:
        kinds = ", ".join(DOCUMENT_MODELS)
        return [source.problem(("document",), f"say which document this is: one of {kinds}")]
    if model is Algorithm and data.get("extends") is not None:
        return _parse_extends(source, data)
    try:
        source.document = model.model_validate(data)
    except ValidationError as error:
        return _schema_problems(source, error)
    return []


class _Variant(BaseModel):
    """Reads only a variant's ``extends``: the rest is checked once merged onto its base."""

    model_config = ConfigDict(extra="ignore")
    extends: Extends


def _parse_extends(source: Source, data: dict) -> list[Problem]:
    """Read a variant's ``extends``; ``validate`` merges it onto its base later."""
    if not isinstance(data["extends"], dict):
        message = "name the algorithm this one builds on as 'algorithm: SLUG' (and 'version: N')"
        return [source.problem(("extends",), message)]
    try:
        source.extends = _Variant.model_validate(data).extends
    except ValidationError as error:
        return _schema_problems(source, error)
    return []


def _schema_problems(
    source: Source, error: ValidationError, data: object = None, merged: bool = False
) -> list[Problem]:
    """The schema's errors at their lines: in the file's own data, or in ``data``
    (a variant merged onto its base) when ``merged``."""
    locate = source.document_problem if merged else source.problem
    if not merged:
        data = source.located.data if source.located else None
    located = [(item, *_data_path(data, item["loc"])) for item in error.errors()]
    # A value that may take one of several shapes (a stage key or a list of routes)
    # fails once per shape; where the author's shape has a real problem, report that
    # rather than "text is needed here" from the shape not chosen.
    chosen = {union for item, _, _, union in located if union and item["type"] not in WRONG_SHAPE}
    found: dict[str, Problem] = {}
    for item, path, rest, union in located:
        if union in chosen and item["type"] in WRONG_SHAPE:
            continue
        if item["type"] == "missing" and rest:
            path = (*path, rest[-1])
            message = "required"
        else:
            message = schema_message(path, item)
        problem = locate(path, message)
        found.setdefault(problem.field, problem)  # otherwise keep the first shape's problem
    return list(found.values())


def _data_path(data: object, loc: tuple[str | int, ...]) -> tuple[Path, Path, Path | None]:
    """Split pydantic's location into the part that exists in the data and the rest,
    leaving out the names pydantic gives the members of a union ("list[Route]");
    the third item is the path of the union, if the location went through one."""
    path: list[str | int] = []
    union: Path | None = None
    for i, part in enumerate(loc):
        if (
            isinstance(data, dict)
            and part in data
            or isinstance(data, list)
            and isinstance(part, int)
            and part < len(data)
        ):
            data = data[part]
        elif isinstance(part, str) and not isinstance(data, dict) and union is None:
            union = tuple(path)  # only a union member is named by a string below a non-mapping
            continue
        else:
            return tuple(path), tuple(loc[i:]), union
        path.append(part)
    return tuple(path), (), union


def validate(sources: Sequence[Source], context: Context | None = None) -> Report:
    """Parse every source, then check the rules that span fields and documents."""
    context = context or Context()
    report = Report(sources=list(sources))
    for source in report.sources:
        report.problems += parse(source)

    libraries = report.documents(Library)
    references = set(context.references) | _keys_of_broken_libraries(report.sources)
    seen_keys: dict[str, str] = {}
    for source, library in libraries:
        report.problems += [source.problem(p, m) for p, m in checks.check_library(library)]
        for i, ref in enumerate(library.references):
            if ref.key in seen_keys and seen_keys[ref.key] != source.name:
                where = seen_keys[ref.key]
                report.problems.append(
                    source.problem(
                        ("references", i, "key"), f"'{ref.key}' is also defined in {where}"
                    )
                )
            seen_keys.setdefault(ref.key, source.name)
            references.add(ref.key)

    # Every algorithm of the batch by slug (the first, when two share one), variants
    # included: a variant is merged onto its base, which may be in the batch too.
    candidates = [s for s in report.sources if isinstance(s.document, Algorithm) or s.extends]
    batch: dict[str, Source] = {}
    for source in candidates:
        if (slug := _raw_slug(source)) is not None:  # else the schema reports the slug
            report.problems += _duplicate_slug(source, slug, batch)
            batch.setdefault(slug, source)
    variants = _Variants(report.sources, batch, context)
    report.problems += variants.merge(candidates)

    algorithms: dict[str, Algorithm] = {}
    for source in candidates:
        algorithm = source.document
        if isinstance(algorithm, Algorithm):
            algorithms.setdefault(algorithm.slug, algorithm)
            found = list(checks.check_algorithm(algorithm, references))
        elif source.variant is not None and source.variant.data is not None:
            # Merged, but the schema rejected the result: check the parts that parse.
            found = list(_algorithm_parts(source.variant.data, references))
        else:
            continue  # a variant that did not merge: its problems are reported
        if (base := variants.batch_bases.get(id(source))) is not None and source.variant:
            # What the variant keeps of a base in the batch is reported in the base's file.
            own = set(checks.check_algorithm(base, references))
            found = [f for f in found if f not in own or source.variant.origin(f[0]) is not None]
        report.problems += [source.document_problem(p, m) for p, m in found]
    for source, data in _rejected_sources(report.sources, "algorithm"):
        if source.extends is None and data.get("extends") is None:  # a variant is merged first
            report.problems += [source.problem(p, m) for p, m in _algorithm_parts(data, references)]

    broken_algorithms = {d.get("slug") for _, d in _rejected_sources(report.sources, "algorithm")}

    def algorithm_of(slug: str, pinned: int | None) -> Algorithm | None:
        return (None if pinned else algorithms.get(slug)) or context.algorithm(slug, pinned)

    slugs: dict[str, object] = {}
    for source in report.sources:
        case = source.document
        data = source.located.data if source.located else None
        if isinstance(case, Case):
            report.problems += _duplicate_slug(source, case.slug, slugs)
            slugs.setdefault(case.slug, case)
            algorithm = algorithm_of(case.algorithm, case.algorithm_version)
            if algorithm is None and case.algorithm in broken_algorithms:
                continue  # its algorithm's problems are reported; checking against it would guess
            found = list(checks.check_case(case, algorithm, references))
            report.problems += [source.problem(p, m) for p, m in found]
            if not found and algorithm is not None:
                # Only a case that is otherwise sound can be played to prove its keys.
                report.problems += [source.problem(p, m) for p, m in _keys(case, algorithm)]
        elif case is None and isinstance(data, dict) and data.get("document") == "case":
            found = _rejected_case(data, algorithm_of, broken_algorithms, references)
            report.problems += [source.problem(p, m) for p, m in found]
            if isinstance(slug := _field(Case, "slug", data), str):
                report.problems += _duplicate_slug(source, slug, slugs)
                slugs.setdefault(slug, source)

    if context.image_problem is not None:
        report.problems += _missing_images(report.sources, context.image_problem)

    # A part checked on its own may meet a problem the whole document also reports.
    report.problems = sorted(set(report.problems))
    return report


def finding_image_files(data: object) -> Iterator[tuple[Path, str]]:
    """Every finding image's file named in a case's data (as written: it may be
    invalid), with the path of its ``file``."""
    if not isinstance(data, dict):
        return
    patient = data.get("patient")
    owners: list[tuple[Path, object]] = [(("patient",), patient)]
    stages = data.get("stages")
    if isinstance(stages, dict):
        owners += [(("stages", key), stage) for key, stage in stages.items()]
    for path, owner in owners:
        findings = owner.get("findings") if isinstance(owner, dict) else None
        for i, finding in enumerate(findings if isinstance(findings, list) else []):
            image = finding.get("image") if isinstance(finding, dict) else None
            file = image.get("file") if isinstance(image, dict) else None
            if isinstance(file, str):
                yield (*path, "findings", i, "image", "file"), file


def _missing_images(
    sources: Sequence[Source], problem_of: Callable[[str], str | None]
) -> list[Problem]:
    """A problem at each finding image whose file cannot be shown; a name the
    schema refuses is its problem already."""
    found = []
    for source in sources:
        data = source.located.data if source.located else None
        if not isinstance(data, dict) or data.get("document") != "case":
            continue
        for path, file in finding_image_files(data):
            if IMAGE_FILE.match(file) and (message := problem_of(file)):
                found.append(source.problem(path, message))
    return found


# --- the parts of a rejected document ----------------------------------------------
# A document the schema rejects is not lost for the rules that span fields: each
# stage (each action, step and harm) that parses on its own is checked as it would
# be in a sound document, against the vocabularies that are known, so that one pass
# reports as much as it can. Nothing is said about a part that did not parse, nor
# checked against a vocabulary that did not: that would be a guess.


class _Unknown(frozenset):
    """A vocabulary whose part of the document did not parse: it is taken to hold
    every key, so nothing is reported against it."""

    def __contains__(self, item: object) -> bool:
        return True


UNKNOWN: frozenset[str] = _Unknown()
_KEYS = {
    kind: TypeAdapter(kind, config=ConfigDict(str_strip_whitespace=True))
    for kind in (Key, ActionKey)
}


def _declared(data: dict, name: str, kind: object, absent: frozenset[str]) -> frozenset[str]:
    """The keys of the mapping ``name`` (findings, actions, stages) as written, when it
    is a mapping and every key is one; else UNKNOWN. ``absent`` when it is left out."""
    if name not in data:
        return absent
    value = data[name]
    if not isinstance(value, dict):
        return UNKNOWN
    keys = [_key_of(key, kind) for key in value]
    return UNKNOWN if None in keys else frozenset(k for k in keys if k is not None)


def _key_of(value: object, kind: object = Key) -> str | None:
    """``value`` as the key it is written as, or None if it is not one."""
    try:
        return _KEYS[kind].validate_python(value)
    except ValidationError:
        return None


_FAILED = object()


@cache
def _field_model(model: type[BaseModel], name: str) -> type[BaseModel]:
    info = model.model_fields[name]
    return create_model(
        f"{model.__name__}_{name}",
        __config__=model.model_config,
        **{name: (info.annotation, copy(info))},
    )


def _field(model: type[BaseModel], name: str, data: dict) -> object:
    """One field of ``model`` parsed on its own (its default when left out), or _FAILED."""
    try:
        part = _field_model(model, name).model_validate({name: data[name]} if name in data else {})
    except ValidationError:
        return _FAILED
    return getattr(part, name)


def _each(model: type[Document], items: object) -> list[tuple[int | str, Any]]:
    """The entries of a list or mapping that parse as ``model``, with their index or key."""
    if isinstance(items, list):
        entries: Iterable[tuple[int | str, object]] = enumerate(items)
    elif isinstance(items, dict):
        entries = items.items()
    else:
        return []
    parsed = []
    for at, item in entries:
        try:
            parsed.append((at, model.model_validate(item)))
        except ValidationError:
            continue  # the schema reports it
    return parsed


def _rejected_case(
    data: dict,
    algorithm_of: Callable[[str, int | None], Algorithm | None],
    broken_algorithms: Set[object],
    references: Set[str],
) -> list[tuple[Path, str]]:
    """What the parts of a case the schema rejected show. Its algorithm is looked up
    when its name and pinned version parse; that none is found is said only when no
    algorithm of that slug was itself rejected (its own problems are reported)."""
    found: list[tuple[Path, str]] = []
    algorithm = None
    name, pinned = _field(Case, "algorithm", data), _field(Case, "algorithm_version", data)
    if isinstance(name, str) and (pinned is None or isinstance(pinned, int)):
        algorithm = algorithm_of(name, pinned)
        if algorithm is None and name not in broken_algorithms:
            found.append((("algorithm",), checks.no_algorithm(name, pinned)))
    return found + list(_case_parts(data, algorithm, references))


def _items(value: object) -> list:
    return value if isinstance(value, list) else []


def _case_parts(
    data: dict, algorithm: Algorithm | None, references: Set[str]
) -> Iterator[tuple[Path, str]]:
    """The checks of ``checks.check_case`` that a rejected case's parts allow.
    ``algorithm`` is None when it is not known (not found, or itself rejected)."""
    actions = frozenset(algorithm.actions) if algorithm else UNKNOWN
    local = _declared(data, "findings", Key, absent=frozenset())
    if algorithm is None or isinstance(local, _Unknown):
        facts = UNKNOWN
    else:
        facts = frozenset(algorithm.findings) | local
    if algorithm is not None:
        for key in local:
            if key in algorithm.findings:
                yield ("findings", key), f"'{key}' is already declared by the algorithm"

    # Past the schema's limits a document is too big to check further, or to show every
    # problem of: the schema says so.
    patient = data.get("patient")
    found = _items(patient.get("findings")) if isinstance(patient, dict) else []
    if len(found) <= MAX_FINDINGS:
        parsed = _each(Finding, found)
        yield from checks.check_findings(("patient", "findings"), parsed, facts, actions)

    names = _declared(data, "stages", Key, absent=UNKNOWN)
    raw = data.get("stages")
    if isinstance(raw, dict) and len(raw) > MAX_STAGES:
        return
    start = _field(Case, "start", data)
    if isinstance(start, str) and start not in names:
        yield ("start",), f"no stage '{start}'"
    stages: dict[str, Stage] = {
        key: stage for key, stage in _each(Stage, raw) if isinstance(key, str) and key in names
    }
    for key, stage in stages.items():
        yield from checks.check_stage(("stages", key), stage, names, facts, actions, references)

    if isinstance(raw, dict) and len(stages) == len(raw) and not isinstance(names, _Unknown):
        # Every stage parsed: the graph is known.
        yield from checks.check_graph(start if isinstance(start, str) else None, stages)


def _algorithm_parts(data: dict, references: Set[str]) -> Iterator[tuple[Path, str]]:
    """The checks of ``checks.check_algorithm`` that a rejected algorithm's parts allow."""
    actions = _declared(data, "actions", ActionKey, absent=UNKNOWN)
    facts = _declared(data, "findings", Key, absent=UNKNOWN)
    citations = _field(Algorithm, "citations", data)
    if isinstance(citations, list):
        yield from checks.check_citations((), citations, references)
    for key, action in _each(Action, data.get("actions")):
        yield from checks.check_action(("actions", key), action, references)

    raw = data.get("steps")
    written = [_key_of(e.get("key")) if isinstance(e, dict) else None for e in _items(raw)]
    step_keys = Counter(key for key in written if key is not None)
    every_key_known = isinstance(raw, list) and None not in written
    steps = _each(Step, raw)
    for i, step in steps:
        yield from checks.check_step(
            ("steps", i),
            step,
            step_keys,
            facts,
            actions,
            references,
            every_key_known=every_key_known,
        )
    # A loop among the steps that parsed is a loop whatever the others say.
    for (_, i, *rest), message in checks.order_cycles([step for _, step in steps]):
        yield ("steps", steps[i][0], *rest), message

    raw = data.get("harms")
    written = [_key_of(e.get("key")) if isinstance(e, dict) else None for e in _items(raw)]
    harm_keys = Counter(key for key in written if key is not None)
    for i, harm in _each(Harm, raw):
        yield from checks.check_harm(("harms", i), harm, harm_keys, facts, actions, references)


def _raw_slug(source: Source) -> str | None:
    """The slug of a parsed document, or as written in a variant not yet merged."""
    if source.document is not None:
        return source.document.slug
    data = source.located.data if source.located else None
    slug = data.get("slug") if isinstance(data, dict) else None
    return slug if isinstance(slug, str) else None


class _Variants:
    """Merges each variant of a batch onto its base, bases first whatever the file
    order: a base in the batch (its newest version, unless the variant pins one
    already stored) or one stored."""

    def __init__(self, sources: Sequence[Source], batch: dict[str, Source], context: Context):
        self.batch = batch
        self.context = context
        self.problems: list[Problem] = []
        self.done: set[int] = set()
        self.path: list[Source] = []  # the variants being merged, each extending the next
        self.batch_bases: dict[int, Algorithm] = {}  # id of a variant -> its base in the batch
        # Slugs of algorithms the schema rejected (not variants, which are merged
        # later): their problems are reported already.
        self.rejected = {
            str(data.get("slug"))
            for source in sources
            if source.extends is None
            for _, data in _rejected_sources([source], "algorithm")
        }

    def merge(self, sources: Sequence[Source]) -> list[Problem]:
        for source in sources:
            if source.extends is not None:
                self.resolve(source)
        return self.problems

    def resolve(self, source: Source) -> None:
        if id(source) in self.done:
            return
        self.path.append(source)
        try:
            self._merge(source)
        finally:
            self.path.pop()
            self.done.add(id(source))

    def _merge(self, source: Source) -> None:
        assert source.extends is not None and source.located is not None  # noqa: S101
        data = source.located.data
        assert isinstance(data, dict)  # noqa: S101 -- parse() read extends from it
        if source.extends.algorithm == data.get("slug"):
            message = "an algorithm cannot extend itself: name the algorithm this one builds on"
            self.problems.append(source.problem(("extends", "algorithm"), message))
            return
        found = self._base(source, source.extends)
        if found is None:
            return
        base, version = found
        source.variant = resolved = resolve(data, base, version)
        if resolved.problems:
            self.problems += [source.problem(p, m) for p, m in resolved.problems]
            return
        try:
            source.document = Algorithm.model_validate(resolved.data)
        except ValidationError as error:
            self.problems += _schema_problems(source, error, resolved.data, merged=True)

    def _base(self, source: Source, wanted: Extends) -> tuple[Algorithm, int] | None:
        """The base and its version number; None, with any problem recorded, if
        there is none to merge onto."""
        slug, number = wanted.algorithm, wanted.version
        if number is not None and (stored := self.context.algorithm(slug, number)):
            return stored, number
        newest = self.context.newest_version(slug)
        in_batch = self.batch.get(slug)
        if in_batch is not None:
            on_path = [i for i, s in enumerate(self.path) if s is in_batch]
            if on_path:
                self._loop(self.path[on_path[0] :])
                return None
            if in_batch.extends is not None:
                self.resolve(in_batch)
            base = in_batch.document
            if not isinstance(base, Algorithm):
                return None  # the base's own problems are reported
            newest = self._number_in_batch(base)
            if number is None or number == newest:
                self.batch_bases[id(source)] = base
                return base, newest
        elif slug in self.rejected:
            return None  # the base's own problems are reported
        elif number is None and (stored := self.context.algorithm(slug, None)):
            return stored, newest or 1
        if number is not None and newest is not None:
            message = f"algorithm '{slug}' has no version {number}; the newest is {newest}"
            self.problems.append(source.problem(("extends", "version"), message))
        else:
            message = f"no algorithm '{slug}' in these files or already imported"
            self.problems.append(source.problem(("extends", "algorithm"), message))
        return None

    def _number_in_batch(self, base: Algorithm) -> int:
        """The version the batch's ``base`` is stored as on import: the newest
        stored one if it is unchanged, else the next."""
        newest = self.context.newest_version(base.slug)
        if newest is None:
            return 1
        stored = self.context.algorithm(base.slug, None)
        same = stored is not None and _canonical(stored) == _canonical(base)
        return newest if same else newest + 1

    def _loop(self, loop: list[Source]) -> None:
        slugs = [_raw_slug(s) or "?" for s in loop]
        for i, source in enumerate(loop):
            chain = " extends ".join([*slugs[i:], *slugs[:i], slugs[i]])
            message = f"the algorithms extend each other in a loop: {chain}"
            self.problems.append(source.problem(("extends", "algorithm"), message))


def _canonical(algorithm: Algorithm) -> dict:
    """The stored form of a document (as ``cases.services.document_of``)."""
    return algorithm.model_dump(mode="json", exclude_defaults=True)


def _keys(case: Case, algorithm: Algorithm) -> Iterator[tuple[Path, str]]:
    """Each option whose key the rubric contradicts on some path, at its ``expect``."""
    for mismatch in explorer.key_mismatches(algorithm, case):
        decision = case.stages[mismatch.stage].decision
        index = next(i for i, o in enumerate(decision.options) if o.key == mismatch.option)
        yield (
            ("stages", mismatch.stage, "decision", "options", index, "expect"),
            f"the key says {Expect(mismatch.expected).label}, but the rubric judges this "
            f"option {Expect(mismatch.verdict).label} {mismatch.where}, because {mismatch.rule}",
        )


def _rejected_sources(sources: Sequence[Source], kind: str) -> list[tuple[Source, dict]]:
    """The sources of documents of ``kind`` that the schema rejected, with their raw data."""
    found = []
    for source in sources:
        data = source.located.data if source.located else None
        if source.document is None and isinstance(data, dict) and data.get("document") == kind:
            found.append((source, data))
    return found


def _keys_of_broken_libraries(sources: Sequence[Source]) -> set[str]:
    """Reference keys of libraries the schema rejected, so that one bad entry
    is reported once rather than again at every citation of a good one."""
    keys: set[str] = set()
    for _, data in _rejected_sources(sources, "library"):
        refs = data.get("references")
        for ref in refs if isinstance(refs, list) else []:
            if isinstance(ref, dict) and isinstance(ref.get("key"), str):
                keys.add(ref["key"])
    return keys


def _duplicate_slug(source: Source, slug: str, seen: dict[str, object]) -> list[Problem]:
    if slug in seen:
        return [source.problem(("slug",), f"another file in this batch also has slug '{slug}'")]
    return []


def content_files(paths: Iterable[str | FilePath]) -> list[FilePath]:
    """The YAML files named, and those under the folders named, in a stable order."""
    files: list[FilePath] = []
    for raw in paths:
        path = FilePath(raw)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml"))
        else:
            files.append(path)
    return files


def read_sources(paths: Iterable[str | FilePath]) -> tuple[list[Source], list[Problem]]:
    sources, problems = [], []
    for path in content_files(paths):
        try:
            sources.append(Source(str(path), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(str(path), 1, "", f"cannot read the file: {error}"))
    return sources, problems


def main(argv: Sequence[str]) -> int:
    if not argv:
        print("usage: python -m cases.validate PATH...", file=sys.stderr)
        return 2
    sources, unreadable = read_sources(argv)
    if not sources and not unreadable:
        print(f"no .yaml files in {' '.join(argv)}", file=sys.stderr)
        return 1
    report = validate(sources)
    report.problems = sorted(unreadable + report.problems)
    for problem in report.problems:
        print(problem)
    print(report.summary())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
