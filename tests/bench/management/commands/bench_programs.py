"""Time the dashboard, mastery grid, item analysis and exports on the bench program."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tests.bench.programs import measure, run


class Command(BaseCommand):
    help = (
        "Time the program pages on the Bench Residency (seed it with seed_bench first) "
        "against a plain query; exits 1 when a page takes more than 3× as long."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(measure()))
            return
        missed = run(self.stdout.write)
        if missed:
            raise CommandError("Targets missed:\n  " + "\n  ".join(missed))
