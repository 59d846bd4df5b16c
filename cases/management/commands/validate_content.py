from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from cases.services import stored_context
from cases.validate import Context, read_sources, validate


class Command(BaseCommand):
    help = "Check content files (or folders of them) and print every problem as file:line: field: message."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="YAML files or folders")

    def handle(self, *args, paths: list[str], **options):
        sources, unreadable = read_sources(paths)
        if not sources and not unreadable:
            raise CommandError(f"no .yaml files in {' '.join(paths)}")
        try:
            context = stored_context()  # a file may cite or pin what is already imported
        except DatabaseError:
            context = Context()  # no database yet: check the files on their own
        report = validate(sources, context)
        report.problems = sorted([*unreadable, *report.problems])
        for problem in report.problems:
            self.stdout.write(str(problem))
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
