from __future__ import annotations

from cases.management.case_version_command import CaseVersionCommand
from cases.yamlmap import dump


class Command(CaseVersionCommand):
    help = "Print a case version as YAML that imports back to the identical document."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--output", "-o", help="write to this file instead of standard output")

    def handle(self, *args, slug: str, version: int | None, output: str | None, **options):
        text = dump(self.case_version(slug, version).document)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
        else:
            self.stdout.write(text, ending="")
