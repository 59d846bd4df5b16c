"""Seed a bench or proof database and print what the load driver needs, as JSON.

Run with the server's environment (DATABASE_URL, DJANGO_SETTINGS_MODULE, ...) after `migrate`:

    python -m tests.bench.seed --residents 50

Creates the bench program with its residents and an instructor (one password
for all), imports the bundled content, and, unless told not to, runs
`manage.py seed_bench` (300 residents, 100,000 attempts) and
names that program's dashboard and CSV export and a director who can open them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

BENCH_PASSWORD = "bench-only-password-7Qx"  # noqa: S105 - a throwaway database's accounts
PROGRAM_SLUG = "sim-program"
CONTENT = Path(__file__).resolve().parents[2] / "cases" / "content"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--no-seed-bench", action="store_true")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.settings")
    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Count, Q
    from django.urls import NoReverseMatch, reverse

    from simulator.accounts.models import Membership, Program, Role

    out = sys.stderr
    call_command("import_content", str(CONTENT), stdout=out, stderr=out)
    if not args.no_seed_bench:
        # The program of 300 residents and 100,000 attempts (docs/operations.md).
        call_command("seed_bench", stdout=out, stderr=out)
    user_model = get_user_model()
    password = make_password(BENCH_PASSWORD)  # hashed once: PBKDF2 is slow by design
    residents = [f"sim-r{i:03d}" for i in range(args.residents)]
    with transaction.atomic():
        program, _ = Program.objects.get_or_create(
            slug=PROGRAM_SLUG, defaults={"name": "Simulated residents (make bench)"}
        )
        for username, role in [(u, Role.RESIDENT) for u in residents] + [
            ("sim-instructor", Role.INSTRUCTOR)
        ]:
            user, _ = user_model.objects.get_or_create(username=username)
            user.password = password
            user.save(update_fields=["password"])
            Membership.objects.get_or_create(user=user, program=program, role=role)
        if "bench" in {a.split(".")[-1] for a in _installed_apps()}:
            from tests.bench.models import BenchRow

            if not BenchRow.objects.exists():  # pk 1 on a fresh database, from its sequence
                BenchRow.objects.create(note="the row the read view shows")

    info: dict[str, object] = {
        "password": BENCH_PASSWORD,
        "residents": residents,
        "instructor": "sim-instructor",
        "program_id": program.pk,
        "dashboard": None,
        "csv": None,
        "director": None,
    }
    if not args.no_seed_bench:
        big = (
            Program.objects.exclude(slug=PROGRAM_SLUG)
            .annotate(n=Count("memberships", filter=Q(memberships__role=Role.RESIDENT)))
            .order_by("-n")
            .first()
        )
        if big is not None:
            director = (
                Membership.objects.filter(program=big, role=Role.DIRECTOR)
                .select_related("user")
                .first()
            )
            if director is None:
                user, _ = user_model.objects.get_or_create(username="sim-director")
                director = Membership.objects.create(user=user, program=big, role=Role.DIRECTOR)
            director.user.password = password
            director.user.save(update_fields=["password"])
            info["director"] = director.user.username
            info["dashboard"] = reverse("scoring:program_dashboard", args=[big.slug])
            info["csv"] = _csv_url(big, reverse, NoReverseMatch)
            info["residents_in_program"] = big.n
            from simulator.models import Attempt

            info["attempts_in_db"] = Attempt.objects.count()
    json.dump(info, sys.stdout)
    sys.stdout.write("\n")
    return 0


def _installed_apps() -> list[str]:
    from django.conf import settings

    return list(settings.INSTALLED_APPS)


def _csv_url(program, reverse, no_match) -> str | None:
    """The program's CSV export: a program-wide one if it exists, else its largest cohort's."""
    for name in ("scoring:program_csv", "scoring:program_export_csv", "scoring:program_scores_csv"):
        try:
            return reverse(name, args=[program.slug])
        except no_match:
            continue
    from django.db.models import Count

    cohort = program.cohorts.annotate(n=Count("members")).order_by("-n").first()
    return reverse("scoring:cohort_csv", args=[cohort.pk]) if cohort else None


if __name__ == "__main__":
    raise SystemExit(main())
