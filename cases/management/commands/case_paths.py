"""Every path through a case with its score: ``manage.py case_paths SLUG [--json]``."""

from __future__ import annotations

import json

from django.core.management.base import CommandError

from cases.authoring import valid_document
from cases.management.case_version_command import CaseVersionCommand
from cases.paths import explore


class Command(CaseVersionCommand):
    help = (
        "The exact best and worst scores of a case (the newest version unless --version N), "
        "a reference path, every option's verdicts, and its paths (listed up to --limit)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")
        parser.add_argument(
            "--limit", type=int, default=500, help="stop after this many paths (default 500)"
        )

    def handle(self, *args, slug: str, version: int | None, json: bool, limit: int, **options):
        found = self.case_version(slug, version)
        document, report = valid_document(found)
        if document is None:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"version {found.number} of '{slug}' is not valid: fix it first")
        exploration = explore(document, found.algorithm_version.parsed, limit=limit)
        if json:
            payload = {"case": slug, "version": found.number, **exploration.to_dict()}
            self.stdout.write(_dumps(payload))
            return
        self.stdout.write(f"{slug} v{found.number}: {_summary(exploration)}")
        for path in exploration.paths:
            mark = " (reference)" if path.is_reference else ""
            self.stdout.write(f"\npath {path.number}{mark}: score {path.score}, ends {path.end}")
            for step in path.steps:
                self.stdout.write(f"  {step.stage}: {' + '.join(step.labels)}")
            for harm in path.critical_errors:
                self.stdout.write(
                    f"  CRITICAL: {harm.action_label} at {harm.stage} ({harm.option_label})"
                )


def _dumps(payload: dict) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False)


def _summary(exploration) -> str:
    reference = " → ".join(" + ".join(s.options) for s in exploration.reference_steps)
    text = (
        f"scores {exploration.worst} to {exploration.best} (exact); reference: {reference}.\n"
        f"{exploration.count} path{'s' if exploration.count != 1 else ''} listed, "
        f"{exploration.with_critical_errors} with a critical error"
    )
    if exploration.truncated:
        text += "; the list stopped at its limit, there are more paths"
    broken = exploration.keys_broken
    if broken:
        text += f".\n{len(broken)} option key{'s' if len(broken) != 1 else ''} contradicted: " + (
            ", ".join(f"{o.stage}/{o.option}" for o in broken)
        )
    return text + "."
