"""Stored content: libraries, algorithms and cases, each with immutable versions.

A version holds the validated document as JSON plus its content hash, so
importing an unchanged file is a no-op and an attempt always points at the
exact version it was played on. Documents are parsed back into the pure
models of ``cases.schema`` for the engine and rubric.
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models

from cases import schema


class Library(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)

    class Meta:
        verbose_name_plural = "libraries"

    def __str__(self) -> str:
        return self.title


class Algorithm(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    topic = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.title


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "Under review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    PUBLISHED = "published", "Approved"


EDITABLE = frozenset({Status.DRAFT, Status.CHANGES_REQUESTED})
IN_REVIEW = frozenset({Status.SUBMITTED, Status.IN_REVIEW})
# A version's large columns, which a list of versions never loads: a document
# may be a megabyte.
HEAVY_FIELDS = ("document", "source", "references")


class Case(models.Model):
    slug = models.SlugField(unique=True)
    # Null for the bundled cases every program may play; otherwise the
    # program whose instructors author the case.
    program = models.ForeignKey(
        "accounts.Program", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    published = models.ForeignKey(
        "CaseVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return self.slug


class Version(models.Model):
    number = models.PositiveIntegerField()
    document = models.JSONField()
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class LibraryVersion(Version):
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="versions")

    class Meta:
        ordering = ["library", "number"]
        constraints = [
            models.UniqueConstraint(fields=["library", "number"], name="library_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.library.slug} v{self.number}"

    @cached_property
    def parsed(self) -> schema.Library:
        return schema.Library.model_validate(self.document)


class AlgorithmVersion(Version):
    algorithm = models.ForeignKey(Algorithm, on_delete=models.PROTECT, related_name="versions")
    # The cited references as they stood when this version was imported.
    references = models.JSONField(default=dict)

    class Meta:
        ordering = ["algorithm", "number"]
        constraints = [
            models.UniqueConstraint(fields=["algorithm", "number"], name="algorithm_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.algorithm.slug} v{self.number}"

    @cached_property
    def parsed(self) -> schema.Algorithm:
        return schema.Algorithm.model_validate(self.document)


class CaseVersion(Version):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="versions")
    algorithm_version = models.ForeignKey(
        AlgorithmVersion, on_delete=models.PROTECT, related_name="case_versions"
    )
    # Every reference the case or its algorithm cites, frozen with the version.
    references = models.JSONField(default=dict)
    # Catalogue fields, copied from the document so the catalogue can filter
    # and list without loading every document.
    title = models.CharField(max_length=200)
    presentation = models.CharField(max_length=300)
    difficulty = models.CharField(
        max_length=20, choices=[(d, d.title()) for d in schema.Difficulty]
    )
    minutes = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.CharField(max_length=300, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Browser authoring: the author's YAML as last saved, kept even when it does
    # not validate (a draft may be broken while it is being written), so typed
    # text is never lost. ``document`` holds the data it parsed to.
    source = models.TextField(blank=True)
    problem_count = models.PositiveIntegerField(default=0)  # at the last save
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="case_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.case.slug} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_editable(self) -> bool:
        """Only a draft, or one sent back for changes, may change; the rest are frozen."""
        return self.status in EDITABLE

    def awaits_review_by(self, user) -> bool:
        """Waiting for review, and not submitted by ``user``: no one reviews their own version."""
        return self.status in IN_REVIEW and self.author_id != user.pk

    @property
    def last_updated(self):
        return self.updated_at or self.published_at or self.created_at

    @cached_property
    def parsed(self) -> schema.Case:
        return schema.Case.model_validate(self.document)

    @cached_property
    def citable(self) -> dict[str, schema.Reference]:
        return {key: schema.Reference.model_validate(r) for key, r in self.references.items()}


class ReviewComment(models.Model):
    """A reviewer's comment on one version, about one stage or (stage "") the whole case."""

    version = models.ForeignKey(CaseVersion, on_delete=models.CASCADE, related_name="comments")
    stage = models.CharField(max_length=80, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["version", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.version} {self.stage or '(case)'}: {self.text[:40]}"
