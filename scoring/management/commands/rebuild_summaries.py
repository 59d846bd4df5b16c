"""Recount the summaries the program pages read, from the stored scores."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring import summaries


class Command(BaseCommand):
    help = (
        "Recount the summaries the program pages read (dashboard, mastery grid, item "
        "analysis, assignment completion) from the stored scores, and replace them. Scores "
        "keep them in step as they are stored and deleted; run this after writing scores "
        "any other way (a bulk load, an edit in SQL). Safe while the site runs. --check "
        "only compares, and exits 1 when they differ."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Compare with a recount; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            stored, recounted = summaries.stored(), summaries.recounted()
            differ = [name for name in stored if stored[name] != recounted[name]]
            for name in differ:
                keys = stored[name].keys() | recounted[name].keys()
                wrong = sum(1 for k in keys if stored[name].get(k) != recounted[name].get(k))
                self.stderr.write(f"{name}: {wrong} of {len(keys)} rows differ from a recount.")
            if differ:
                raise CommandError("The summaries differ from a recount: run rebuild_summaries.")
            self.stdout.write("The summaries equal a recount.")
            return
        written = summaries.rebuild()
        self.stdout.write(
            "Rebuilt the summaries: "
            + ", ".join(f"{name} {n} row{'s' if n != 1 else ''}" for name, n in written.items())
            + "."
        )
