"""CSV exports of scores: one row per finished attempt, with a column per
algorithm step holding that attempt's verdict.

Three queries whatever the size: the step columns, the attempts, and their
step verdicts, the last two streamed side by side in score order and merged.
Cells that a spreadsheet would read as a formula are quoted.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.db.models import Min, QuerySet

from scoring.access import program_scores
from scoring.models import Assignment, Cohort, Score, StepOutcome
from scoring.rubric import RUBRIC_VERSION

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000
FIXED_COLUMNS = [
    "attempt",
    "username",
    "name",
    "email",
    "case",
    "case_version",
    "case_title",
    "assignment",
    "mode",
    "started_at",
    "finished_at",
    "score",
    "critical_errors",
    "rubric_version",
]


def safe(value: object) -> str:
    """A cell as text, defused against CSV formula injection."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def scores_for_cohort(cohort: Cohort) -> QuerySet[Score]:
    """Finished attempts made while the resident was on the cohort (removed residents included)."""
    return program_scores(cohort.program, cohort)


def scores_for_assignment(assignment: Assignment) -> QuerySet[Score]:
    return Score.objects.filter(rubric_version=RUBRIC_VERSION, attempt__assignment=assignment)


def csv_rows(scores: QuerySet[Score]) -> Iterator[list[str]]:
    """The header, then one row per score, in score order."""
    columns = list(
        StepOutcome.objects.filter(score__in=scores)
        .values_list("algorithm__slug", "step")
        .annotate(first=Min("id"))
        .order_by("algorithm__slug", "first")
    )
    index = {(algorithm, step): i for i, (algorithm, step, _) in enumerate(columns)}
    yield FIXED_COLUMNS + [f"step:{algorithm}/{step}" for algorithm, step, _ in columns]
    verdicts = (
        StepOutcome.objects.filter(score__in=scores)
        .order_by("score_id", "id")
        .values_list("score_id", "algorithm__slug", "step", "verdict")
        .iterator(chunk_size=CHUNK)
    )
    pending = next(verdicts, None)
    attempts = (
        scores.order_by("pk")
        .values_list(
            "pk",
            "attempt_id",
            "attempt__user__username",
            "attempt__user__first_name",
            "attempt__user__last_name",
            "attempt__user__email",
            "attempt__case_version__case__slug",
            "attempt__case_version__number",
            "attempt__case_version__title",
            "attempt__assignment__title",
            "attempt__mode",
            "attempt__started_at",
            "attempt__finished_at",
            "score",
            "critical_errors",
            "rubric_version",
        )
        .iterator(chunk_size=CHUNK)
    )
    for row in attempts:
        (score_id, attempt, username, first, last, email, slug, number, title) = row[:9]
        assignment, mode, started, finished, value, critical, version = row[9:]
        steps = [""] * len(columns)
        while pending is not None and pending[0] <= score_id:
            if pending[0] == score_id:
                steps[index[(pending[1], pending[2])]] = pending[3]
            pending = next(verdicts, None)
        name = f"{first} {last}".strip()
        yield [
            safe(v)
            for v in (
                attempt,
                username,
                name,
                email,
                slug,
                number,
                title,
                assignment or "",
                mode,
                started.isoformat() if started else "",
                finished.isoformat() if finished else "",
                value,
                critical,
                version,
                *steps,
            )
        ]


def csv_stream(scores: QuerySet[Score]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in csv_rows(scores):
        yield writer.writerow(row)
