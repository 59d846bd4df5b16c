from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cases.models import CaseVersion
from cases.yamlmap import dump


class Command(BaseCommand):
    help = "Print a case version as YAML that imports back to the identical document."

    def add_base_argument(self, parser, *args, **kwargs):
        if "--version" not in args:  # here --version picks a case version, not Django's
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--version", type=int, help="version number (default: the newest)")
        parser.add_argument("--output", "-o", help="write to this file instead of standard output")

    def handle(self, *args, slug: str, version: int | None, output: str | None, **options):
        versions = CaseVersion.objects.filter(case__slug=slug).order_by("-number")
        found = versions.filter(number=version).first() if version else versions.first()
        if found is None:
            which = f" version {version}" if version else ""
            raise CommandError(f"no case '{slug}'{which}")
        text = dump(found.document)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
        else:
            self.stdout.write(text, ending="")
