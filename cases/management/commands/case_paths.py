"""Every path through a case with its score: ``manage.py case_paths SLUG [--json]``."""

from __future__ import annotations

import json

from django.core.management.base import CommandError

from cases.authoring import valid_document
from cases.management.case_version_command import CaseVersionCommand
from cases.paths import explore
from cases.services import algorithm_coverage


class Command(CaseVersionCommand):
    help = (
        "The exact best and worst scores of a case (the newest version unless --version N), "
        "a reference path, every option's verdicts, and its paths (listed up to --limit)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")
        parser.add_argument(
            "--limit", type=int, default=500, help="list at most this many paths (default 500)"
        )
        parser.add_argument(
            "--coverage",
            action="store_true",
            help="also report which steps and harms of the algorithm no published case exercises",
        )

    def handle(
        self,
        *args,
        slug: str,
        version: int | None,
        json: bool,
        limit: int,
        coverage: bool,
        **options,
    ):
        found = self.case_version(slug, version)
        document, report = valid_document(found)
        if document is None:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"version {found.number} of '{slug}' is not valid: fix it first")
        exploration = explore(document, found.algorithm_version.parsed, limit=limit)
        covered = algorithm_coverage(found) if coverage else None
        if json:
            payload = {"case": slug, "version": found.number, **exploration.to_dict()}
            if covered:
                payload["coverage"] = covered.to_dict()
            self.stdout.write(_dumps(payload))
            return
        self.stdout.write(f"{slug} v{found.number}: {_summary(exploration)}")
        for note in exploration.unrevealed:
            self.stdout.write(f"note: {note.message}.")
        for ending in exploration.endings:
            self.stdout.write(f"note: {ending.stage}: {ending.message}.")
        if covered:
            self.stdout.write(_coverage(covered))
        for path in exploration.paths:
            mark = " (reference)" if path.is_reference else ""
            self.stdout.write(f"\npath {path.number}{mark}: score {path.score}, ends {path.end}")
            for step in path.steps:
                self.stdout.write(f"  {step.stage}: {' + '.join(step.labels)}")
            for harm in path.critical_errors:
                self.stdout.write(
                    f"  CRITICAL: {harm.action_label} at {harm.stage} ({harm.option_label})"
                )


def _coverage(covered) -> str:
    lines = [
        f"coverage of {covered.algorithm}: {covered.percent}% of its steps and harms are "
        "exercised by the published cases"
    ]
    lines += [
        f"  no case teaches the step {key} ({title})" for key, title in covered.untaught_steps
    ]
    lines += [
        f"  no case lets a learner commit the harm {key} ({title})"
        for key, title in covered.uncommitted_harms
    ]
    return "\n".join(lines)


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
