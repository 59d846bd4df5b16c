"""Create the demo program and its accounts, once; safe to run again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from scoring.models import Cohort, CohortMember
from simulator.accounts.models import Membership, Program, Role

DEMO_PROGRAM_SLUG = "demo-residency"
DEMO_PROGRAM_NAME = "Demo Residency"
DEMO_COHORT_NAME = "PGY-1 demo"
DEMO_PASSWORD = "casepath-demo"  # noqa: S105 - published on purpose, see README.
DEMO_ACCOUNTS: tuple[tuple[str, Role], ...] = (
    ("resident", Role.RESIDENT),
    ("instructor", Role.INSTRUCTOR),
    ("instructor2", Role.INSTRUCTOR),
    ("director", Role.DIRECTOR),
)


class Command(BaseCommand):
    help = "Create the Demo Residency program and its demo accounts when they are absent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo password is public).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates accounts whose password is public; it runs with DEBUG=1 "
                "only (pass --force to run it anyway)."
            )
        created = seed_demo()
        if created:
            self.stdout.write(f"Created demo accounts: {', '.join(created)}.")
        else:
            self.stdout.write("Demo accounts already exist; nothing changed.")
        names = ", ".join(f"{username} ({role.label.lower()})" for username, role in DEMO_ACCOUNTS)
        self.stdout.write(
            f"Log in at /accounts/login/ as one of {names}, password {DEMO_PASSWORD}."
        )


@transaction.atomic
def seed_demo() -> list[str]:
    """Create what is missing; never touch an existing account's password."""
    user_model = get_user_model()
    program, _ = Program.objects.get_or_create(
        slug=DEMO_PROGRAM_SLUG, defaults={"name": DEMO_PROGRAM_NAME}
    )
    created: list[str] = []
    for username, role in DEMO_ACCOUNTS:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model(username=username)
            user.set_password(DEMO_PASSWORD)
            user.save()
            created.append(username)
        Membership.objects.get_or_create(user=user, program=program, role=role)
    # A cohort with the demo resident on it, so the director's dashboard and
    # mastery grid show the resident's attempts from the start.
    cohort, _ = Cohort.objects.get_or_create(program=program, name=DEMO_COHORT_NAME)
    resident = user_model.objects.get(username="resident")
    if not CohortMember.objects.filter(cohort=cohort, user=resident).exists():
        CohortMember.objects.create(cohort=cohort, user=resident)
    return created
