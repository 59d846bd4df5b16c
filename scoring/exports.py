"""What a director downloads for a cohort or an assignment: its scores as
CSV, one row per finished attempt with a column per algorithm step holding
that attempt's verdict, or its xAPI statements as a JSON array.

The CSV takes three queries whatever the size: the step columns, the
attempts, and their step verdicts, the last two streamed side by side in
score order and merged. Cells that a spreadsheet would read as a formula are
quoted.
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
from scoring.models import Assignment, Cohort, Score, StepOutcome, XapiStatement
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


@dataclass(frozen=True)
class Export:
    scores: QuerySet[Score]
    name: str  # the downloaded files' names start with it


def export_for_director(user: AnyUser, *, of: Literal["cohort", "assignment"], pk: int) -> Export:
    """The scores of a cohort or an assignment the user directs, through its
    funnel: Http404 for anyone else."""
    if of == "cohort":
        cohort = get_cohort_for_director(user, pk)
        name = slugify(f"{cohort.program.slug}-{cohort.name}") or "cohort"
        return Export(scores_for_cohort(cohort), name)
    assignment = get_assignment_for_director(user, pk)
    name = slugify(f"{assignment.cohort.name}-{assignment.title}") or "assignment"
    return Export(scores_for_assignment(assignment), name)


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
                review.format(attempt),
                *steps,
            )
        ]


def csv_stream(scores: QuerySet[Score]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in csv_rows(scores):
        yield writer.writerow(row)


def xapi_json(scores: QuerySet[Score]) -> str:
    """The scores' xAPI statements as a JSON array, in the order they were made."""
    statements = XapiStatement.objects.filter(score__in=scores).order_by("id")
    return json.dumps(list(statements.values_list("statement", flat=True)), indent=1)
