from __future__ import annotations

import json

from django.core.management.base import CommandError

from cases.management.case_version_command import CaseVersionCommand
from simulator import engine
from simulator.headless import debrief_data, debrief_text


class Command(CaseVersionCommand):
    default_version = "published"

    help = (
        "Play a path through a case without recording an attempt, and print its debrief. "
        "One --choice per decision; '+' joins the options of a pick-several, "
        "in the learner's order for a put-in-order."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--choice", action="append", default=[], metavar="OPTION[+OPTION...]")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print JSON")

    def handle(self, *args, slug: str, choice: list[str], version: int | None, as_json: bool, **_):
        found = self.case_version(slug, version)
        case = found.parsed
        choices = [raw.split("+") for raw in choice]
        state = engine.start(case)
        for number, picked in enumerate(choices, start=1):
            try:
                state = engine.advance(case, state, picked)
            except engine.InvalidChoice as invalid:
                keys = ", ".join(o.key for o in case.stages[state.stage].decision.options)
                raise CommandError(
                    f"--choice {number} ({'+'.join(picked)}): {invalid} Option keys: {keys}."
                ) from None
        if not state.finished:
            decision = case.stages[state.stage].decision
            keys = ", ".join(o.key for o in decision.options)
            raise CommandError(
                f"after {len(choices)} choices the case is at stage '{state.stage}' "
                f"({decision.prompt}); add a --choice from: {keys}"
            )
        data = debrief_data(found, choices, state)
        if as_json:
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(debrief_text(data), ending="")
