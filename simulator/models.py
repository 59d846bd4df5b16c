"""Attempts and the choices made in them.

An attempt's state is never stored: it is the frozen case version plus the
append-only choices, replayed through the pure engine. Any app server can
serve the next request, and a crash between two requests loses nothing.

The design calls a recorded choice an "Action"; here it is ``Choice`` because
"action" already names the algorithm's vocabulary (``imaging.radiograph``),
and one choice can perform several actions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from scoring.models import Mode


class Attempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    case_version = models.ForeignKey(
        "cases.CaseVersion", on_delete=models.PROTECT, related_name="attempts"
    )
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.PRACTICE)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set when the attempt was started from a program's assignment.
    assignment = models.ForeignKey(
        "scoring.Assignment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attempts",
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "-started_at"], name="attempt_user_recent")]

    def __str__(self) -> str:
        return f"Attempt {self.pk} by {self.user} on {self.case_version}"

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


class Choice(models.Model):
    """One accepted decision: the options picked, in the order given.

    Unique per (attempt, seq): a replayed or concurrent post of the same
    decision cannot record a second choice or fork the attempt.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="choices")
    seq = models.PositiveIntegerField()
    stage = models.CharField(max_length=80)
    options = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attempt", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "seq"], name="choice_attempt_seq")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.seq}: {'+'.join(self.options)}"
