from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cases.images import ImageSource
from cases.services import ContentInvalid, content_import
from cases.validate import read_sources


class Command(BaseCommand):
    help = (
        "Validate content files and store each changed document as a new version; all or "
        "nothing. A case's images are read from the folder images/ beside its YAML."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="YAML files or folders")

    def handle(self, *args, paths: list[str], verbosity: int = 1, **options):
        sources, unreadable = read_sources(paths)
        if not sources and not unreadable:
            raise CommandError(f"no .yaml files in {' '.join(paths)}")
        try:
            # A case's images come from the folder images/ beside its YAML.
            images = ImageSource.beside(source.name for source in sources)
            result = content_import(sources, unreadable=unreadable, images=images)
        except ContentInvalid as invalid:
            for problem in invalid.report.problems:
                self.stdout.write(str(problem))
            raise CommandError(f"{invalid.report.summary()} Nothing was imported.") from None
        if verbosity > 1:
            for item in result.items:
                self.stdout.write(str(item))
        self.stdout.write(result.summary())
