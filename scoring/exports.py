"""What a director downloads for a cohort or an assignment: its scores as
CSV, one row per finished attempt with a column per algorithm step holding
that attempt's verdict, or its xAPI statements as a JSON array.

The CSV takes three queries whatever the size: the step columns (for a
cohort, from its mastery summary, StepTally), the attempts, and their step
verdicts, the last two streamed side by side in score order and merged.
Cells that a spreadsheet would read as a formula are quoted.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.db.models import Min, QuerySet
from django.urls import reverse
from django.utils.text import slugify

from scoring.access import (
    get_assignment_for_director,
    get_cohort_for_director,
    program_scores,
)
from scoring.models import Assignment, Cohort, Score, StepOutcome, StepTally, XapiStatement
from scoring.rubric import RUBRIC_VERSION
from simulator.accounts.access import AnyUser

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
    "review_url",  # the attempt's read-only debrief, for the program's staff
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
    """The attempts the cohort's dashboard and mastery grid count: those
    finished while the resident was on the cohort, residents since removed
    included."""
    return program_scores(cohort.program, cohort)


def scores_for_assignment(assignment: Assignment) -> QuerySet[Score]:
    """Every counted attempt made for the assignment; the assignment page
    shows the one per case its rule (best, first, last) picks."""
    return scores_for_cohort(assignment.cohort).filter(attempt__assignment=assignment)


def step_columns_of_cohort(cohort: Cohort) -> QuerySet:
    """(algorithm, step, first StepOutcome id) of every step judged in the
    scores the cohort counts, in CSV column order, read from its mastery
    summary rather than from every step verdict."""
    return (
        StepTally.objects.filter(cohort=cohort, rubric_version=RUBRIC_VERSION)
        .values_list("algorithm__slug", "step")
        .annotate(first=Min("first_outcome"))
        .order_by("algorithm__slug", "first")
    )


@dataclass(frozen=True)
class Export:
    scores: QuerySet[Score]
    name: str  # the downloaded files' names start with it
    columns: QuerySet | None = None  # the step columns, when known without the verdicts


def cohort_export(cohort: Cohort) -> Export:
    """A cohort's export, for a cohort that came through its funnel."""
    name = slugify(f"{cohort.program.slug}-{cohort.name}") or "cohort"
    return Export(scores_for_cohort(cohort), name, step_columns_of_cohort(cohort))


def assignment_export(assignment: Assignment) -> Export:
    """An assignment's export, for an assignment that came through its funnel."""
    name = slugify(f"{assignment.cohort.name}-{assignment.title}") or "assignment"
    return Export(scores_for_assignment(assignment), name)


def export_for_director(user: AnyUser, *, of: Literal["cohort", "assignment"], pk: int) -> Export:
    """The scores of a cohort or an assignment the user directs, through its
    funnel: Http404 for anyone else."""
    if of == "cohort":
        return cohort_export(get_cohort_for_director(user, pk))
    return assignment_export(get_assignment_for_director(user, pk))


def step_columns(scores: QuerySet[Score]) -> QuerySet:
    """(algorithm, step, first StepOutcome id) of every step judged in the scores."""
    return (
        StepOutcome.objects.filter(score__in=scores)
        .values_list("algorithm__slug", "step")
        .annotate(first=Min("id"))
        .order_by("algorithm__slug", "first")
    )


def csv_rows(scores: QuerySet[Score], columns: QuerySet | None = None) -> Iterator[list[str]]:
    """The header, then one row per score, in score order. ``columns`` are
    the scores' step columns (step_columns) when the caller knows them."""
    columns = list(step_columns(scores) if columns is None else columns)
    index = {(algorithm, step): i for i, (algorithm, step, _) in enumerate(columns)}
    yield FIXED_COLUMNS + [f"step:{algorithm}/{step}" for algorithm, step, _ in columns]
    verdicts = (
        StepOutcome.objects.filter(score__in=scores)
        .order_by("score_id", "id")
        .values_list("score_id", "algorithm__slug", "step", "verdict")
        .iterator(chunk_size=CHUNK)
    )
    pending = next(verdicts, None)
    # The review page's address, reversed once rather than once a row.
    review = settings.SITE_URL + reverse("simulator:attempt_review", args=[0]).replace(
        "/0/", "/{}/"
    )
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
        # Only what people typed can start like a formula; numbers, times,
        # the mode, the review address and verdicts never do.
        yield [
            str(attempt),
            safe(username),
            safe(f"{first} {last}".strip()),
            safe(email),
            safe(slug),
            str(number),
            safe(title),
            safe(assignment),
            mode,
            started.isoformat() if started else "",
            finished.isoformat() if finished else "",
            str(value),
            str(critical),
            str(version),
            review.format(attempt),
            *steps,
        ]


def csv_stream(scores: QuerySet[Score], columns: QuerySet | None = None) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in csv_rows(scores, columns):
        yield writer.writerow(row)


def xapi_json(scores: QuerySet[Score]) -> str:
    """The scores' xAPI statements as a JSON array, in the order they were made."""
    statements = XapiStatement.objects.filter(score__in=scores).order_by("id")
    return json.dumps(list(statements.values_list("statement", flat=True)), indent=1)
