"""Writes to stored content: importing documents as new immutable versions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cases import explorer, models, schema, soundness
from cases.images import ImageSource
from cases.messages import plural
from cases.validate import Context, Problem, Report, Source, validate


class ContentInvalid(Exception):
    def __init__(self, report: Report) -> None:
        super().__init__(report.summary())
        self.report = report


@dataclass
class Imported:
    kind: str
    slug: str
    number: int
    created: bool

    def __str__(self) -> str:
        state = "new version" if self.created else "unchanged"
        return f"{self.kind} {self.slug} v{self.number}: {state}"


@dataclass
class ImportResult:
    items: list[Imported] = field(default_factory=list)

    def summary(self) -> str:
        new = sum(item.created for item in self.items)
        return f"{plural(new, 'new version')}, {len(self.items) - new} unchanged."


def document_of(model: schema.Document) -> dict:
    """The canonical stored form: JSON-safe, defaults left out, field order kept."""
    return model.model_dump(mode="json", exclude_defaults=True)


def content_hash(document: dict, references: dict | None = None) -> str:
    payload = json.dumps([document, references or {}], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def latest_references() -> dict[str, dict]:
    """Every reference in the newest version of every library, by key."""
    found: dict[str, dict] = {}
    newest = {}
    for version in models.LibraryVersion.objects.order_by("library_id", "number"):
        newest[version.library_id] = version
    for version in newest.values():
        for ref in version.document["references"]:
            found[ref["key"]] = ref
    return found


# The largest number a version column holds (PostgreSQL's integer): a file may
# pin or extend any number, and one beyond it is simply not stored.
MAX_VERSION = 2_147_483_647


def algorithm_version(slug: str, number: int | None) -> models.AlgorithmVersion | None:
    versions = models.AlgorithmVersion.objects.filter(algorithm__slug=slug)
    if number is not None:
        if not 1 <= number <= MAX_VERSION:
            return None
        return versions.filter(number=number).first()
    return versions.order_by("-number").first()


def stored_context(
    references: Mapping[str, dict] | None = None, images: ImageSource | None = None
) -> Context:
    """What is stored, for the validator; ``references`` when the caller already has them,
    ``images`` when the files checked bring images of their own (else the stored ones)."""

    def lookup(slug: str, number: int | None) -> schema.Algorithm | None:
        version = algorithm_version(slug, number)
        return version.parsed if version else None

    def newest(slug: str) -> int | None:
        version = algorithm_version(slug, None)
        return version.number if version else None

    if references is None:
        references = latest_references()
    return Context(
        references=frozenset(references),
        algorithm=lookup,
        newest_version=newest,
        image_problem=(images or ImageSource()).problem,
    )


@dataclass(frozen=True)
class Frozen:
    """A case as it is stored: its algorithm version pinned and the references
    it and its algorithm cite copied in, so the version never changes under
    the attempts played on it."""

    case: schema.Case
    pinned: models.AlgorithmVersion
    document: dict
    references: dict
    content_hash: str


def case_freeze(
    *, case: schema.Case, references: Mapping[str, dict] | None = None
) -> Frozen | None:
    """``case`` pinned to its algorithm version (the newest unless it names one);
    None when that version does not exist."""
    pinned = algorithm_version(case.algorithm, case.algorithm_version)
    if pinned is None:
        return None
    if references is None:
        references = latest_references()
    case = case.model_copy(update={"algorithm_version": pinned.number})
    document = document_of(case)
    cited = {
        key: references.get(key) or pinned.references[key]
        for key in cited_keys(pinned.parsed) + cited_keys(case)
    }
    return Frozen(case, pinned, document, cited, content_hash(document, cited))


def cited_keys(document: schema.Algorithm | schema.Case) -> list[str]:
    """Every reference key a document cites, in order of first citation."""
    keys: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, schema.Document):
            for name in type(value).model_fields:
                item = getattr(value, name)
                if name == "citations":
                    keys.extend(item)
                else:
                    walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(document)
    return list(dict.fromkeys(keys))


def _next_version(manager, **values) -> tuple[object, bool]:
    """Create the next version unless the newest one has the same content."""
    latest = manager.order_by("-number").first()
    if latest and latest.content_hash == values["content_hash"]:
        return latest, False
    return manager.create(number=(latest.number + 1 if latest else 1), **values), True


def _bases_first(
    algorithms: Sequence[tuple[Source, schema.Algorithm]],
) -> list[tuple[Source, schema.Algorithm]]:
    """The batch's algorithms with each variant after the base it extends, if
    that is in the batch too, so the base's version number is known first."""
    by_slug = {algorithm.slug: (source, algorithm) for source, algorithm in algorithms}
    ordered: list[tuple[Source, schema.Algorithm]] = []
    placed: set[str] = set()

    def place(source: Source, algorithm: schema.Algorithm) -> None:
        if algorithm.slug in placed:
            return
        placed.add(algorithm.slug)
        base = algorithm.extends.algorithm if source.extends and algorithm.extends else None
        if base in by_slug:
            place(*by_slug[base])
        ordered.append((source, algorithm))

    for source, algorithm in algorithms:
        place(source, algorithm)
    return ordered


def _extending_as_stored(
    source: Source, algorithm: schema.Algorithm, numbers: Mapping[str, int]
) -> schema.Algorithm:
    """A variant extending its base's newest version records the number that base
    was stored as by this import (the validator could only foresee it)."""
    written = source.extends
    if written is None or written.version is not None or written.algorithm not in numbers:
        return algorithm
    extends = schema.Extends(algorithm=written.algorithm, version=numbers[written.algorithm])
    return algorithm.model_copy(update={"extends": extends})


@transaction.atomic
def content_import(
    sources: Sequence[Source],
    *,
    unreadable: Sequence[Problem] = (),
    images: ImageSource | None = None,
) -> ImportResult:
    """Validate every source, then store each changed document as a new version.

    All or nothing: if any file has a problem, nothing is written (the images
    that came with the files, ``images``, are stored only then). Imported
    cases are published at once: their review happened where the files are
    kept (a pull request to the content folder). An algorithm variant is
    stored as the validator merged it onto its base (``cases.extends``), after
    that base when both are imported together.
    """
    report = validate(sources, stored_context(images=images))
    report.problems = sorted([*unreadable, *report.problems])
    if not report.ok:
        raise ContentInvalid(report)
    if images is not None:
        images.store()
    result = ImportResult()

    for _, library in report.documents(schema.Library):
        row, _ = models.Library.objects.update_or_create(
            slug=library.slug, defaults={"title": library.title}
        )
        document = document_of(library)
        version, created = _next_version(
            row.versions, document=document, content_hash=content_hash(document)
        )
        result.items.append(Imported("library", library.slug, version.number, created))

    references = latest_references()
    numbers: dict[str, int] = {}  # slug -> the version this import stored it as
    for source, algorithm in _bases_first(report.documents(schema.Algorithm)):
        algorithm = _extending_as_stored(source, algorithm, numbers)
        row, _ = models.Algorithm.objects.update_or_create(
            slug=algorithm.slug, defaults={"title": algorithm.title, "topic": algorithm.topic}
        )
        document = document_of(algorithm)
        cited = {key: references[key] for key in cited_keys(algorithm)}
        version, created = _next_version(
            row.versions,
            document=document,
            references=cited,
            content_hash=content_hash(document, cited),
        )
        numbers[algorithm.slug] = version.number
        result.items.append(Imported("algorithm", algorithm.slug, version.number, created))

    for _, case in report.documents(schema.Case):
        frozen = case_freeze(case=case, references=references)
        assert frozen is not None  # noqa: S101 -- validate() checked that it exists
        case = frozen.case
        row, _ = models.Case.objects.get_or_create(slug=case.slug)
        version, created = _next_version(
            row.versions,
            document=frozen.document,
            references=frozen.references,
            content_hash=frozen.content_hash,
            algorithm_version=frozen.pinned,
            title=case.title,
            presentation=case.presentation,
            difficulty=case.difficulty,
            minutes=case.minutes,
            status=models.Status.PUBLISHED,
            review_note="Imported from the content repository",
            published_at=timezone.now(),
        )
        if created:
            row.published = version
            row.save(update_fields=["published"])
        result.items.append(Imported("case", case.slug, version.number, created))
    return result


def algorithm_coverage(version: models.CaseVersion) -> soundness.Coverage:
    """How much of ``version``'s algorithm version the published cases its
    author can see teach: the bundled cases and their program's, plus this
    version itself."""
    pinned = version.algorithm_version
    published = (
        models.CaseVersion.objects.filter(algorithm_version=pinned, case__published=F("pk"))
        .filter(Q(case__program__isnull=True) | Q(case__program=version.case.program_id))
        .exclude(case=version.case)
    )
    cases = [v.parsed for v in published] + [version.parsed]
    algorithm = pinned.parsed
    return soundness.coverage(algorithm, (explorer.prove(algorithm, case) for case in cases))


def versions_awaiting_review(author, programs) -> list[models.CaseVersion]:
    """The author's versions that wait on someone, in the given programs:
    changes requested of them first, then those waiting for a reviewer."""
    versions = (
        models.CaseVersion.objects.filter(
            author=author,
            case__program__in=programs,
            status__in=[models.Status.CHANGES_REQUESTED, *models.IN_REVIEW],
        )
        .select_related("case")
        .defer(*models.HEAVY_FIELDS)
    )
    return sorted(versions, key=lambda v: (v.status != models.Status.CHANGES_REQUESTED, v.title))
