"""Time the dashboard, mastery grid, item analysis and exports on the bench program."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tests.bench.programs import run


class Command(BaseCommand):
    help = "Time the program pages on the Bench Residency (seed it with seed_bench first)."

    def handle(self, *args: Any, **options: Any) -> None:
        run(self.stdout.write)
