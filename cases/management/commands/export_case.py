from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from cases import images
from cases.management.case_version_command import CaseVersionCommand
from cases.yamlmap import dump


class Command(CaseVersionCommand):
    help = (
        "Print a case version as YAML that imports back to the identical document. With "
        "--output, the images its findings show are written to images/ beside the file, "
        "where import_content reads them."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--output", "-o", help="write to this file instead of standard output")

    def handle(self, *args, slug: str, version: int | None, output: str | None, **options):
        document = self.case_version(slug, version).document
        text = dump(document)
        files = images.images_of(document)
        if not output:
            if files:
                self.stderr.write(
                    f"This case shows {len(files)} image(s), which standard output cannot "
                    "carry: use --output FILE to write them beside it."
                )
            self.stdout.write(text, ending="")
            return
        path = Path(output)
        path.write_text(text, encoding="utf-8")
        if files:
            folder = path.parent / images.FOLDER
            folder.mkdir(exist_ok=True)
            for file in files:
                try:
                    (folder / file).write_bytes(images.image_bytes(file))
                except FileNotFoundError:
                    raise CommandError(f"the image {file} is not in the storage") from None
