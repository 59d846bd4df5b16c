"""`make bench`: time the program pages on the seeded Bench Residency.

Each figure is the median of a few runs, reported in seconds and as a ratio
to a plain query run in the same process (reading the id and score of
every row of the scores table), so
results from different machines can be compared.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from scoring.dashboard import dashboard_for, mastery_grid
from scoring.exports import csv_stream, scores_for_assignment, scores_for_cohort
from scoring.item_analysis import item_analysis
from scoring.models import Cohort, Score
from simulator.accounts.models import Program
from tests.bench.management.commands.seed_bench import BENCH_SLUG

RUNS = 3


def _time(fn: Callable[[], object]) -> tuple[float, int]:
    times = []
    queries = 0
    for _ in range(RUNS):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        queries = len(captured.captured_queries)
    return statistics.median(times), queries


def run(say: Callable[[str], None] = print) -> None:
    program = Program.objects.get(slug=BENCH_SLUG)
    cohort = Cohort.objects.filter(program=program).order_by("name").first()
    assignment = cohort.assignments.first()
    case = Case.objects.filter(versions__attempts__user__cohort_memberships__cohort=cohort).first()
    say(
        f"Bench Residency: {Score.objects.filter(attempt__user__memberships__program=program).count()}"
        f" scored attempts, {cohort.members.count()} residents in {cohort.name}."
    )
    baseline, _ = _time(lambda: list(Score.objects.values_list("pk", "score")))
    rows = [
        ("plain query (read all scores)", baseline, 1),
        ("dashboard, whole program", *_time(lambda: dashboard_for(program))),
        ("dashboard, one cohort", *_time(lambda: dashboard_for(program, cohort))),
        ("mastery grid, one cohort", *_time(lambda: mastery_grid(cohort))),
        ("item analysis, one case", *_time(lambda: item_analysis(program, case, None))),
        (
            "CSV export, one cohort",
            *_time(lambda: sum(1 for _ in csv_stream(scores_for_cohort(cohort)))),
        ),
        (
            "CSV export, one assignment",
            *_time(lambda: sum(1 for _ in csv_stream(scores_for_assignment(assignment)))),
        ),
    ]
    say(f"{'what':32} {'seconds':>9} {'× plain query':>14} {'queries':>8}")
    for name, seconds, queries in rows:
        say(f"{name:32} {seconds:9.3f} {seconds / baseline:14.1f} {queries:8d}")
