"""Programs, who holds which role in them, and failed log-ins.

The tables keep the names the scoring app gave them when it held these
models, so a database from before the move upgrades without a copy.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Program(models.Model):
    """A residency program: the unit that owns cohorts, cases and scores."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        db_table = "scoring_program"  # created by the scoring app, which held it first
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
    simulator.accounts.access, never through these rows directly.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "scoring_membership"
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


class LoginFailure(models.Model):
    """One failed log-in, kept for the throttle in ``simulator.accounts.login`` (in the
    database, so every app server counts the same failures)."""

    username = models.CharField(max_length=150)  # as typed, lower-cased; may name no account
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "scoring_loginfailure"
        indexes = [
            models.Index(fields=["username", "created_at"], name="login_failure_user"),
            models.Index(fields=["ip", "created_at"], name="login_failure_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.ip} at {self.created_at}"
