"""Programs and who holds which role in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Program(models.Model):
    """A residency program: the unit that owns cohorts, cases and scores."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    RESIDENT = "resident", "Resident"
    INSTRUCTOR = "instructor", "Instructor"
    DIRECTOR = "director", "Program director"


class Membership(models.Model):
    """One role one user holds in one program.

    A user may hold several roles, in several programs: an instructor in one
    program can be a director in another. Access checks go through
    scoring.access, never through these rows directly.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program", "role"], name="membership_unique_user_program_role"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values),
                name="membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.program}"


class Score(models.Model):
    """An attempt's score under one version of the rubric.

    Rescoring under a new rubric adds a row and keeps the old one, so a score
    once shown to a learner is never silently changed.
    """

    attempt = models.ForeignKey(
        "simulator.Attempt", on_delete=models.CASCADE, related_name="scores"
    )
    rubric_version = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()
    critical_errors = models.PositiveSmallIntegerField()
    result = models.JSONField()  # scoring.rubric.Result.to_dict()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attempt", "rubric_version"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "rubric_version"], name="score_per_rubric")
        ]

    def __str__(self) -> str:
        return f"{self.score} for attempt {self.attempt_id} (rubric v{self.rubric_version})"


class StepOutcome(models.Model):
    """One algorithm step's verdict in one score: a row per step, so mastery
    ("which steps does this resident miss?") is an aggregate query."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="step_outcomes")
    algorithm = models.ForeignKey("cases.Algorithm", on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=80)
    title = models.CharField(max_length=200)
    verdict = models.CharField(max_length=20)
    credit = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["algorithm", "step"], name="step_outcome_step")]

    def __str__(self) -> str:
        return f"{self.step}: {self.verdict}"
