"""The program pages' figures counted the slow way: aggregate queries over
every counted score, as the pages computed them before they read the
summaries (scoring.summaries). The tests hold the summaries to these."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Avg, Case, Count, Exists, F, Max, Min, OuterRef, Q, Value, When, Window
from django.db.models.functions import Least, RowNumber, TruncWeek

from scoring.access import program_scores
from scoring.item_analysis import point_biserial
from scoring.models import CohortMember, Counts, DecisionOutcome, OptionPick, Score, StepOutcome
from scoring.rubric import RUBRIC_VERSION, StepStatus


def dashboard(program: Any, cohort: Any = None) -> dict[str, Any]:
    scores = program_scores(program, cohort)
    totals = scores.aggregate(
        attempts=Count("id"),
        mean=Avg("score"),
        critical=Count("id", filter=Q(critical_errors__gt=0)),
    )
    bins = dict(
        scores.annotate(bin=Least(Value(9), F("score") / Value(10)))
        .values_list("bin")
        .annotate(n=Count("id"))
    )
    trend = [
        {
            "week": row["week"].date().isoformat(),
            "attempts": row["n"],
            "mean": round(row["mean"], 1),
            "critical": row["critical"],
        }
        for row in scores.annotate(week=TruncWeek("attempt__finished_at"))
        .values("week")
        .annotate(
            n=Count("id"), mean=Avg("score"), critical=Count("id", filter=Q(critical_errors__gt=0))
        )
        .order_by("week")
    ]
    harms = list(
        OptionPick.objects.filter(severity="critical", decision__score__in=scores)
        .values("harm")
        .annotate(n=Count("id"), attempts=Count("decision__score", distinct=True))
        .order_by("-n", "harm")[:10]
    )
    latest = list(scores.order_by("-attempt__finished_at", "-pk").values_list("pk", flat=True)[:10])
    return {
        "attempts": totals["attempts"],
        "mean_score": round(totals["mean"], 1) if totals["mean"] is not None else None,
        "critical_attempts": totals["critical"],
        "distribution": [bins.get(b, 0) for b in range(10)],
        "trend": trend,
        "harms": harms,
        "latest": latest,
    }


def counted_scores(assignments: Any, user: Any = None) -> list[dict]:
    """The window function that picked each assignment's counted attempts."""
    scores = Score.objects.filter(
        rubric_version=RUBRIC_VERSION,
        attempt__assignment__in=assignments,
        attempt__finished_at__isnull=False,
    ).filter(
        Exists(
            CohortMember.objects.filter(
                cohort=OuterRef("attempt__assignment__cohort"),
                user=OuterRef("attempt__user"),
                removed_at__isnull=True,
            )
        )
    )
    if user is not None:
        scores = scores.filter(attempt__user=user)
    best = Case(When(attempt__assignment__counts=Counts.BEST, then=F("score")), default=Value(None))
    earliest = Case(
        When(
            attempt__assignment__counts__in=[Counts.FIRST, Counts.BEST],
            then=F("attempt__finished_at"),
        ),
        default=Value(None),
    )
    latest = Case(
        When(attempt__assignment__counts=Counts.LAST, then=F("attempt__finished_at")),
        default=Value(None),
    )
    ranked = scores.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[
                F("attempt__user"),
                F("attempt__assignment"),
                F("attempt__case_version__case"),
            ],
            order_by=[
                best.desc(nulls_last=True),
                earliest.asc(nulls_last=True),
                latest.desc(nulls_last=True),
                F("pk").asc(),
            ],
        )
    ).filter(rank=1)
    return sorted(
        (
            {
                "user": row["attempt__user"],
                "assignment": row["attempt__assignment"],
                "case": row["attempt__case_version__case"],
                "attempt": row["attempt"],
                "score": row["score"],
                "critical": row["critical_errors"],
                "finished_at": row["attempt__finished_at"],
            }
            for row in ranked.values(
                "attempt__user",
                "attempt__assignment",
                "attempt__case_version__case",
                "attempt",
                "score",
                "critical_errors",
                "attempt__finished_at",
            )
        ),
        key=lambda r: (r["assignment"], r["user"], r["case"]),
    )


def mastery(cohort: Any) -> tuple[list[tuple[str, str, str]], dict]:
    """The grid's columns (algorithm, step, title) in order, and its cells
    {(user, algorithm, step): (verdicts, missed)}."""
    found = (
        StepOutcome.objects.filter(score__in=program_scores(cohort.program, cohort))
        .values("score__attempt__user", "algorithm__slug", "step")
        .annotate(
            total=Count("id"),
            missed=Count("id", filter=Q(verdict=StepStatus.missed.value)),
            title=Max("title"),
            first=Min("id"),
        )
    )
    cells = {}
    columns: dict[tuple[str, str], tuple[int, str]] = {}
    for row in found:
        key = (row["algorithm__slug"], row["step"])
        cells[(row["score__attempt__user"], *key)] = (row["total"], row["missed"])
        first, _ = columns.get(key, (row["first"], row["title"]))
        columns[key] = (min(first, row["first"]), row["title"])
    ordered = sorted(columns.items(), key=lambda item: (item[0][0], item[1][0]))
    return [(a, s, title) for (a, s), (_, title) in ordered], cells


def items(program: Any, case: Any) -> dict[str, Any]:
    """Item analysis's inputs for the case's newest counted version."""
    counted = program_scores(program)
    numbers = list(
        case.versions.filter(
            pk__in=DecisionOutcome.objects.filter(score__in=counted).values("case_version")
        )
        .order_by("-number")
        .values_list("number", flat=True)
    )
    version = case.versions.get(number=numbers[0]) if numbers else case.published
    outcomes = DecisionOutcome.objects.filter(case_version=version, score__in=counted)
    groups: dict[str, dict[tuple[bool, int], int]] = defaultdict(dict)
    attempts: dict[str, int] = defaultdict(int)
    for row in outcomes.values("stage", "correct", "scored", "score__score").annotate(
        n=Count("id")
    ):
        attempts[row["stage"]] += row["n"]
        if row["scored"]:
            groups[row["stage"]][(row["correct"], row["score__score"])] = row["n"]
    picks: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    for row in (
        OptionPick.objects.filter(decision__in=outcomes)
        .values("decision__stage", "option", "verdict")
        .annotate(n=Count("id"))
        # The pages show an option's most common verdict; between two as
        # common, the first by name (the old query left that to the database).
        .order_by("decision__stage", "option", "-n", "verdict")
    ):
        stage_picks = picks[row["decision__stage"]]
        chosen, verdict = stage_picks.get(row["option"], (0, row["verdict"]))
        stage_picks[row["option"]] = (chosen + row["n"], verdict)
    return {
        "versions": numbers,
        "version": version.pk,
        "attempts": outcomes.filter(seq=0).count(),
        "per_stage": {
            stage: {
                "attempts": attempts[stage],
                "correct": sum(c for (ok, _), c in groups.get(stage, {}).items() if ok),
                "discrimination": point_biserial(groups.get(stage, {})),
                "picks": dict(picks.get(stage, {})),
            }
            for stage in set(attempts) | set(picks)
        },
    }
