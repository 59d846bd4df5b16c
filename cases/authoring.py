"""Writes for browser authoring and clinical review of cases.

A case written in the browser lives as versions of one ``Case``. The newest
version is the one being worked on:

    draft ──submit──▶ submitted ──start review──▶ in review ──approve──▶ published
      ▲                                              │
      └──────────── edit ◀── changes requested ◀─────┘

Only a draft (or a version sent back for changes) may change; its YAML is
stored as the author last saved it, valid or not, and every save runs the
same validator as ``import_content``. Only a valid draft can be submitted;
the reviewer must be another instructor of the program; approving publishes
the version and moves ``Case.published`` to it. Published versions never
change: editing a published case starts a new draft, and attempts keep the
version they started on.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cases import access, editing, editor, models, schema
from cases.diff import Diff, document_diff
from cases.images import ImageRefused, ImageSource, bundle, images_of, read_bundle
from cases.services import algorithm_version, case_freeze, stored_context
from cases.validate import Report, Source, field_name, validate
from cases.yamlmap import YamlProblem, YamlRefused, dump, load

MAX_UPLOAD_BYTES = 256 * 1024
# A draft, as typed and as stored: a case is a few tens of kilobytes, so this is
# a mistake or an attempt to fill the database (and every page that reads it).
MAX_DRAFT_CHARS = 1_000_000
TOO_BIG = f"Not saved: the case is over {MAX_DRAFT_CHARS // 1_000_000} MB."


class AuthoringRefused(Exception):
    """A write that is not allowed in the version's state; the message is for the user."""


class NotEditable(AuthoringRefused):
    """The version is submitted, under review or published: it cannot change."""


class Unstorable(AuthoringRefused):
    """Text no draft may hold, however broken a draft may otherwise be; nothing was stored."""


@dataclass
class Saved:
    version: models.CaseVersion
    report: Report

    @property
    def ok(self) -> bool:
        return self.report.ok


def source_name(slug: str) -> str:
    return f"{slug} (draft)"


def draft_text(version: models.CaseVersion) -> str:
    """The YAML the author works on: as last saved, or the stored document written out."""
    return version.source or (dump(version.document) if version.document else "")


def export_text(version: models.CaseVersion) -> str:
    """A draft as typed; any other version as its stored document, which imports back to itself."""
    return draft_text(version) if version.is_editable else dump(version.document)


def check(
    slug: str,
    text: str,
    references: Mapping[str, dict] | None = None,
    images: ImageSource | None = None,
) -> Report:
    """Validate a case's YAML with the import command's validator and the stored content
    (and ``images``, when the YAML came with its images)."""
    source = Source(source_name(slug), text)
    report = validate([source], stored_context(references, images))
    if source.document is not None and not isinstance(source.document, schema.Case):
        report.problems.insert(0, source.problem(("document",), "this is not a case document"))
    elif source.document is not None and source.document.slug != slug:
        report.problems.insert(
            0, source.problem(("slug",), f"this case's slug is '{slug}'; it cannot change here")
        )
    return report


def check_version(
    version: models.CaseVersion, references: Mapping[str, dict] | None = None
) -> Report:
    return check(version.case.slug, draft_text(version), references)


def valid_document(version: models.CaseVersion) -> tuple[schema.Case | None, Report]:
    """The version's case document when it validates (None when it does not), and the report."""
    report = check_version(version)
    if not report.ok:
        return None, report
    (source,) = report.sources
    return source.document, report


def working_data(version: models.CaseVersion) -> tuple[object, str]:
    """The draft's working data, and the YAML error that stops the forms (or "")."""
    try:
        return load(draft_text(version)).data, ""
    except YamlProblem as problem:
        return version.document, f"line {problem.line}: {problem.message}"


def showable_data(version: models.CaseVersion) -> tuple[object, str]:
    """The draft's working data for a page that shows every stage, and why it cannot
    ("" when it can): past the validator's limits such a page would be too big."""
    data, _ = working_data(version)
    too_big = editor.over_limits(data)
    return ({} if too_big else data), too_big


def version_diff(old: models.CaseVersion, new: models.CaseVersion) -> Diff:
    """What changed from one version to another, in the YAML the author reads."""
    return document_diff(
        old.document,
        new.document,
        old_label=f"version {old.number}",
        new_label=f"version {new.number}",
    )


def _ensure_editable(version: models.CaseVersion) -> None:
    if not version.is_editable:
        raise NotEditable(
            f"Version {version.number} is {version.get_status_display().lower()}; "
            "it can no longer be changed."
        )


def _store(version: models.CaseVersion, text: str, report: Report) -> None:
    """Write the draft's text and, as far as it goes, what it means.

    Raises Unstorable, changing nothing, for text no draft may hold.
    """
    if len(text) > MAX_DRAFT_CHARS:
        raise Unstorable(TOO_BIG)
    try:
        data = load(text).data
    except YamlRefused as refused:
        field = field_name(refused.path)
        where = f"line {refused.line}: " + (f"{field}: " if field else "")
        raise Unstorable(f"Not saved: {where}{refused.message}.") from None
    except YamlProblem:
        data = None
    version.source = text
    if isinstance(data, dict):
        # JSON-safe: YAML may read "2020-01-01" as a date, which JSON cannot hold.
        document = json.dumps(data, default=str)
        if len(document) > MAX_DRAFT_CHARS:  # escaped non-ASCII text takes up to 12 times more
            raise Unstorable(TOO_BIG)
        version.document = json.loads(document)
        for name in ("title", "presentation"):
            if isinstance(data.get(name), str) and data[name].strip():
                setattr(version, name, data[name].strip()[:200])
    version.content_hash = ""
    (source,) = report.sources
    case = source.document
    frozen = case_freeze(case=case) if report.ok and isinstance(case, schema.Case) else None
    if frozen is not None:
        version.document = frozen.document
        version.references = frozen.references
        version.content_hash = frozen.content_hash
        version.algorithm_version = frozen.pinned
        version.difficulty = frozen.case.difficulty
        version.minutes = frozen.case.minutes
    version.problem_count = len(report.problems)
    version.updated_at = timezone.now()
    version.__dict__.pop("parsed", None)
    version.__dict__.pop("citable", None)


def _locked(version: models.CaseVersion) -> models.CaseVersion:
    """The version re-read under a row lock, so two saves of one draft queue up."""
    return models.CaseVersion.objects.select_for_update().select_related("case").get(pk=version.pk)


def case_version_save(*, version: models.CaseVersion, text: str) -> Saved:
    """Store the draft's YAML as typed, whatever the validator says of it."""
    with transaction.atomic():
        version = _locked(version)
        _ensure_editable(version)
        report = check(version.case.slug, text)
        _store(version, text, report)
        version.save()
    return Saved(version, report)


def case_version_edit(
    *, version: models.CaseVersion, change: Callable[[dict], object]
) -> tuple[Saved, object]:
    """Apply one editor form to the draft's working data; returns what ``change`` returned.

    Raises ``editing.EditRefused`` (nothing is stored) when the form cannot
    be applied, e.g. while the YAML does not parse.
    """
    with transaction.atomic():
        version = _locked(version)
        _ensure_editable(version)
        try:
            data = load(draft_text(version)).data
        except YamlProblem as problem:
            raise editing.EditRefused(
                f"The YAML has an error on line {problem.line}: fix it in the YAML tab first."
            ) from None
        if not isinstance(data, dict):
            raise editing.EditRefused("The YAML is not a mapping: fix it in the YAML tab first.")
        result = change(data)
        text = dump(data)
        report = check(version.case.slug, text)
        _store(version, text, report)
        version.save()
    return Saved(version, report), result


def _new_version(
    *, case: models.Case, text: str, user, pinned: models.AlgorithmVersion
) -> models.CaseVersion:
    latest = case.versions.order_by("-number").first()
    version = models.CaseVersion(
        case=case,
        number=latest.number + 1 if latest else 1,
        document={},
        algorithm_version=pinned,
        status=models.Status.DRAFT,
        author=user,
        title=case.slug,
        presentation="",
        difficulty=schema.Difficulty.intermediate,
        minutes=15,
    )
    report = check(case.slug, text)
    _store(version, text, report)
    version.save()
    return version


def skeleton(*, slug: str, title: str, pinned: models.AlgorithmVersion) -> str:
    """A new case: a start stage that asks a decision and an ending stage, to fill in."""
    data = {
        "document": "case",
        "slug": slug,
        "title": title,
        "presentation": "",
        "algorithm": pinned.algorithm.slug,
        "algorithm_version": pinned.number,
        "patient": {"summary": "", "age": 50, "sex": "female"},
        "start": "presentation",
        "stages": {
            "presentation": {
                "title": "Presentation",
                "narrative": "",
                "decision": {"prompt": "What do you do first?", "options": []},
            },
            "outcome": {"title": "Outcome", "narrative": "", "outcome": "good"},
        },
    }
    return dump(data)


def _claim_slug(slug: str, *, program, user) -> models.Case:
    """A new case of ``program`` at ``slug``, refused if a case the author can see has it.

    Slugs are shared by every program. When a case the author may not see holds
    ``slug``, the new case gets a random suffix instead: the author learns that
    the address is in use, and nothing of whose case it is or what it holds.
    """
    slug = slug.strip()
    editing._check_key(slug, "case")
    holder = models.Case.objects.filter(slug=slug).first()
    if holder is not None:
        visible = holder.program_id is None or (
            access.author_programs(user).filter(pk=holder.program_id).exists()
        )
        if visible:
            raise AuthoringRefused(f"The slug '{slug}' is taken; choose another.")
        slug = _unused_slug(slug)
    return models.Case.objects.create(slug=slug, program=program)


def _unused_slug(slug: str) -> str:
    room = models.Case._meta.get_field("slug").max_length - 7  # for "-" and six hex digits
    while True:
        candidate = f"{slug[:room]}-{secrets.token_hex(3)}"
        if not models.Case.objects.filter(slug=candidate).exists():
            return candidate


@transaction.atomic
def case_create(
    *, user, program, slug: str, title: str, algorithm: models.Algorithm
) -> models.CaseVersion:
    """A new case of ``program`` with a first draft to fill in."""
    pinned = algorithm.versions.order_by("-number").first()
    if pinned is None:
        raise AuthoringRefused(f"The algorithm '{algorithm.slug}' has no version yet.")
    case = _claim_slug(slug, program=program, user=user)
    text = skeleton(slug=case.slug, title=title.strip() or case.slug, pinned=pinned)
    return _new_version(case=case, text=text, user=user, pinned=pinned)


@transaction.atomic
def case_copy(*, user, program, original: models.CaseVersion, slug: str) -> models.CaseVersion:
    """A new case of ``program`` whose first draft is a copy of ``original``."""
    case = _claim_slug(slug, program=program, user=user)
    document = {**original.document, "slug": case.slug}
    document["title"] = f"{original.title} (copy)"
    return _new_version(
        case=case, text=dump(document), user=user, pinned=original.algorithm_version
    )


@transaction.atomic
def case_version_new_draft(*, case: models.Case, user) -> models.CaseVersion:
    """The version to edit: the open draft if there is one, else a new draft N+1
    copied from the newest version (the published one stays as it is)."""
    models.Case.objects.select_for_update().filter(pk=case.pk).first()
    latest = case.versions.order_by("-number").first()
    if latest is None:
        raise AuthoringRefused("This case has no version to start from.")
    if latest.is_editable:
        return latest
    if latest.status in models.IN_REVIEW:
        raise NotEditable(
            f"Version {latest.number} is {latest.get_status_display().lower()}; "
            "wait for the review before editing."
        )
    return _new_version(
        case=case, text=draft_text(latest), user=user, pinned=latest.algorithm_version
    )


def case_version_submit(*, version: models.CaseVersion, user) -> Saved:
    """Send a valid draft for review. An invalid one stays a draft; the report says why."""
    with transaction.atomic():
        version = _locked(version)
        _ensure_editable(version)
        report = check_version(version)
        if not report.ok:
            return Saved(version, report)
        _store(version, draft_text(version), report)
        version.status = models.Status.SUBMITTED
        version.author = user
        version.submitted_at = timezone.now()
        version.reviewer = None
        version.save()
    return Saved(version, report)


def _reviewable(version: models.CaseVersion, user) -> models.CaseVersion:
    version = _locked(version)
    if version.status not in models.IN_REVIEW:
        raise AuthoringRefused(
            f"Version {version.number} is {version.get_status_display().lower()}, "
            "not waiting for review."
        )
    if version.author_id == user.pk:
        raise AuthoringRefused("You submitted this version: another instructor must review it.")
    if version.status == models.Status.IN_REVIEW and version.reviewer_id not in (None, user.pk):
        raise AuthoringRefused("Another instructor is already reviewing this version.")
    return version


@transaction.atomic
def case_version_start_review(*, version: models.CaseVersion, user) -> models.CaseVersion:
    version = _reviewable(version, user)
    version.status = models.Status.IN_REVIEW
    version.reviewer = user
    version.save(update_fields=["status", "reviewer"])
    return version


@transaction.atomic
def case_version_request_changes(
    *, version: models.CaseVersion, user, note: str
) -> models.CaseVersion:
    """Send the version back to its author, with a note and any stage comments made."""
    version = _reviewable(version, user)
    note = note.strip()
    if not note and not version.comments.filter(resolved=False).exists():
        raise AuthoringRefused("Say what should change: write a note or comment on a stage.")
    version.status = models.Status.CHANGES_REQUESTED
    version.reviewer = user
    version.review_note = note[:300]
    version.reviewed_at = timezone.now()
    version.save(update_fields=["status", "reviewer", "review_note", "reviewed_at"])
    return version


@transaction.atomic
def case_version_approve(*, version: models.CaseVersion, user, note: str = "") -> Saved:
    """Publish the version: residents who start the case from now on play it."""
    version = _reviewable(version, user)
    report = check_version(version)
    if not report.ok:  # the library or algorithm changed since it was submitted
        return Saved(version, report)
    now = timezone.now()
    version.status = models.Status.PUBLISHED
    version.reviewer = user
    version.review_note = note.strip()[:300]
    version.reviewed_at = now
    version.published_at = now
    version.save()
    models.Case.objects.filter(pk=version.case_id).update(published=version)
    return Saved(version, report)


def review_comment_add(
    *, version: models.CaseVersion, user, stage: str, text: str
) -> models.ReviewComment:
    text = text.strip()
    if not text:
        raise AuthoringRefused("Write the comment first.")
    version = models.CaseVersion.objects.get(pk=version.pk)
    if version.status not in models.IN_REVIEW:
        raise AuthoringRefused("Comments are made while a version is under review.")
    if version.author_id == user.pk:
        raise AuthoringRefused("You submitted this version: another instructor must review it.")
    stages = version.document.get("stages") if isinstance(version.document, dict) else None
    if stage and stage not in (stages or {}):
        raise AuthoringRefused(f"There is no stage '{stage}' in this version.")
    return models.ReviewComment.objects.create(
        version=version, stage=stage, author=user, text=text[:4000]
    )


def review_comment_resolve(*, comment: models.ReviewComment) -> None:
    comment.resolved = True
    comment.save(update_fields=["resolved"])


def open_comments(version: models.CaseVersion) -> list[models.ReviewComment]:
    """Unresolved comments on this version or, for a draft sent back, on the one reviewed."""
    return list(
        models.ReviewComment.objects.filter(version__case=version.case_id, resolved=False)
        .select_related("author", "version")
        .defer("version__document", "version__source", "version__references")
        .order_by("created_at", "pk")
    )


def comments_by_stage(version: models.CaseVersion) -> dict[str, list[models.ReviewComment]]:
    """The open comments grouped by the stage they are on ("" for the case as a whole)."""
    found: dict[str, list[models.ReviewComment]] = {}
    for comment in open_comments(version):
        found.setdefault(comment.stage, []).append(comment)
    return found


def export_file(version: models.CaseVersion) -> tuple[bytes, str, str]:
    """What downloading a version gives (content, file name, type): its YAML
    (``export_text``) or, when its findings show images, a zip of the YAML and,
    in ``images/``, the images (``cases.images.bundle``), which imports back."""
    name = f"{version.case.slug}-v{version.number}"
    text = export_text(version)
    data = working_data(version)[0] if version.is_editable else version.document
    files = images_of(data)
    if not files:
        return text.encode(), f"{name}.yaml", "application/yaml; charset=utf-8"
    return bundle(f"{name}.yaml", text, files), f"{name}.zip", "application/zip"


def upload_case(name: str, data: bytes, max_bundle_bytes: int) -> tuple[str, ImageSource | None]:
    """The case YAML of an uploaded file, and the images that came with it: a .yaml
    or .yml file, or a zip of one and its images as a download makes it."""
    if not name.lower().endswith(".zip"):
        return upload_text(name, data), None
    if len(data) > max_bundle_bytes:
        raise AuthoringRefused(f"The zip is over {max_bundle_bytes // (1024 * 1024)} MB.")
    try:
        _, text, images = read_bundle(data, MAX_UPLOAD_BYTES)
    except ImageRefused as refused:
        raise AuthoringRefused(str(refused)) from None
    return text, images


def upload_text(name: str, data: bytes) -> str:
    """The text of an uploaded YAML file, or AuthoringRefused saying what is wrong."""
    if not name.lower().endswith((".yaml", ".yml")):
        raise AuthoringRefused("Upload a .yaml or .yml file, or a .zip of one and its images.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise AuthoringRefused(f"The file is over {MAX_UPLOAD_BYTES // 1024} KB.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise AuthoringRefused("The file is not UTF-8 text.") from None


def case_import(
    *, user, program, text: str, images: ImageSource | None = None
) -> tuple[models.CaseVersion | None, Report]:
    """Import a whole case from YAML: a new case, or a new draft of one of ``program``'s.

    Only a valid document is imported; otherwise nothing changes and the
    report lists the problems. The report is of the file as uploaded: a new
    case may get another slug (see ``_claim_slug``). ``images`` are the images
    that came with it, stored once the document is valid.
    """
    try:
        data = load(text).data
    except YamlProblem:
        data = None
    slug = data.get("slug") if isinstance(data, dict) else None
    report = check(slug if isinstance(slug, str) else "(upload)", text, images=images)
    if not report.ok:
        return None, report
    if images is not None:
        images.store()
    with transaction.atomic():
        case = models.Case.objects.select_for_update().filter(slug=slug).first()
        if case is None or case.program_id != program.pk:
            case = _claim_slug(slug, program=program, user=user)
            if case.slug != slug:
                text = dump({**data, "slug": case.slug})
            pinned = algorithm_version(data["algorithm"], data.get("algorithm_version"))
            return _new_version(case=case, text=text, user=user, pinned=pinned), report
        draft = case_version_new_draft(case=case, user=user)
    saved = case_version_save(version=draft, text=text)
    return saved.version, saved.report
