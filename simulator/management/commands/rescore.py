from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef

from scoring.models import Score
from scoring.rubric import RUBRIC_VERSION
from scoring.services import attempt_score
from simulator.models import Attempt
from simulator.services import attempt_play


class Command(BaseCommand):
    help = (
        f"Score every finished attempt under the current rubric (v{RUBRIC_VERSION}) that has "
        "no score under it yet. Scores under older rubrics are kept."
    )

    def handle(self, *args, **options):
        current = Score.objects.filter(attempt=OuterRef("pk"), rubric_version=RUBRIC_VERSION)
        pending = (
            Attempt.objects.filter(finished_at__isnull=False)
            .exclude(Exists(current))
            .select_related("case_version__algorithm_version")
            .order_by("pk")
        )
        done = 0
        for attempt in pending.iterator(chunk_size=500):
            play = attempt_play(attempt)
            attempt_score(
                attempt=attempt,
                case=play.case,
                algorithm=play.algorithm,
                points=play.state.points,
                taken=play.state.taken,
            )
            done += 1
        self.stdout.write(
            f"Rescored {done} attempt{'s' if done != 1 else ''} under rubric v{RUBRIC_VERSION}."
        )
