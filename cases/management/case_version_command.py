"""The shape of the commands about one case version: ``SLUG [--version N]``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

from cases.models import CaseVersion


class CaseVersionCommand(BaseCommand):
    # Without --version: the newest version, or the one residents play.
    default_version = "newest"  # or "published"

    def add_base_argument(self, parser, *args, **kwargs):
        if "--version" not in args:  # here --version picks a case version, not Django's
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--version", type=int, help=f"version number (default: the {self.default_version} one)"
        )

    def case_version(self, slug: str, number: int | None) -> CaseVersion:
        versions = CaseVersion.objects.filter(case__slug=slug).select_related(
            "case", "algorithm_version"
        )
        if number:
            found = versions.filter(number=number).first()
        elif self.default_version == "published":
            found = versions.filter(pk=F("case__published")).first()
        else:
            found = versions.order_by("-number").first()
        if found is None:
            which = (
                f" version {number}"
                if number
                else (" published" if self.default_version == "published" else "")
            )
            raise CommandError(f"no case '{slug}'{which}")
        return found
