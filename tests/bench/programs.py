"""`make bench`: time the program pages on the seeded Bench Residency.

Each figure is the median of a few runs, reported in seconds and as a ratio
to a plain query run in the same process (reading the id and score of
every row of the scores table), so
results from different machines can be compared. The target (issue 16): every
page within 3× that query. `manage.py bench_programs` prints the table (and
exits 1 on a miss); `python -m tests.bench.run` runs it on each database it
seeds and puts the rows beside the load's.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

# Django is imported inside the functions that need it: tests.bench.run, which
# runs outside Django, formats the table.

RUNS = 3
TARGET = 3.0  # × the plain query, for every program page


def _time(fn: Callable[[], object]) -> tuple[float, int]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

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


def _csv(export) -> int:
    from scoring.exports import csv_stream

    return sum(1 for _ in csv_stream(export.scores, export.columns))


def measure() -> dict:
    """The plain query and each program page: seconds, ratio and queries."""
    from cases.models import Case
    from scoring.dashboard import dashboard_for, mastery_grid
    from scoring.exports import assignment_export, cohort_export
    from scoring.item_analysis import item_analysis
    from scoring.models import Cohort, CountedScore, Score
    from simulator.accounts.models import Program
    from tests.bench.management.commands.seed_bench import BENCH_SLUG

    program = Program.objects.get(slug=BENCH_SLUG)
    cohort = Cohort.objects.filter(program=program).order_by("name").first()
    assignment = cohort.assignments.select_related("cohort__program").first()
    case = Case.objects.filter(versions__attempts__user__cohort_memberships__cohort=cohort).first()
    baseline, _ = _time(lambda: list(Score.objects.values_list("pk", "score")))
    pages = [
        ("dashboard, whole program", lambda: dashboard_for(program)),
        ("dashboard, one cohort", lambda: dashboard_for(program, cohort)),
        ("mastery grid, one cohort", lambda: mastery_grid(cohort)),
        ("item analysis, one case", lambda: item_analysis(program, case, None)),
        ("CSV export, one cohort", lambda: _csv(cohort_export(cohort))),
        ("CSV export, one assignment", lambda: _csv(assignment_export(assignment))),
    ]
    rows = []
    for name, fn in pages:
        seconds, queries = _time(fn)
        rows.append(
            {"page": name, "seconds": seconds, "ratio": seconds / baseline, "queries": queries}
        )
    return {
        "attempts": CountedScore.objects.filter(program=program, cohort=None).count(),
        "residents": cohort.members.count(),
        "cohort": cohort.name,
        "baseline": baseline,
        "rows": rows,
    }


def table(kind: str, found: dict) -> tuple[str, list[str]]:
    """The program pages' rows as Markdown, and the targets they miss."""
    lines = [
        f"Program pages ({kind}): Bench Residency, {found['attempts']} scored attempts, "
        f"{found['residents']} residents in {found['cohort']}; plain query (read every "
        f"score's id and score) {found['baseline']:.3f} s.",
        "",
        "| page | seconds | × plain query | queries | within 3× |",
        "|---|--:|--:|--:|---|",
    ]
    missed = []
    for row in found["rows"]:
        ok = row["ratio"] <= TARGET
        lines.append(
            f"| {row['page']} | {row['seconds']:.3f} | {row['ratio']:.1f} | {row['queries']} "
            f"| {'yes' if ok else '**no**'} |"
        )
        if not ok:
            missed.append(
                f"{kind}: {row['page']} within {TARGET:g}× the plain query "
                f"(measured {row['ratio']:.1f}×)"
            )
    return "\n".join(lines), missed


def run(say: Callable[[str], None] = print, kind: str | None = None) -> list[str]:
    """Measure, print the table; the targets missed."""
    from django.db import connection

    text, missed = table(kind or connection.vendor, measure())
    say(text)
    return missed
