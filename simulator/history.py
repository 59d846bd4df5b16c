"""A resident's history: attempts and scores over time, and mastery per step."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from scoring.models import Score, StepOutcome
from scoring.rubric import RUBRIC_VERSION, StepStatus
from simulator.access import playable_cases
from simulator.models import Attempt

PAGE_SIZE = 25
CHART_POINTS = 200
MASTERY_ROWS = 12
CASE_LABEL = 28  # characters of a case's title under its point on the chart


def with_scores(attempts: QuerySet[Attempt]) -> QuerySet[Attempt]:
    """Attempts annotated with their newest score, its critical-error count and
    the rubric version that made it: an attempt finished under an older rubric
    and not yet rescored shows the score its learner saw, labelled."""
    newest = Score.objects.filter(attempt=OuterRef("pk")).order_by("-rubric_version")
    return attempts.annotate(
        score_value=Subquery(newest.values("score")[:1]),
        critical_value=Subquery(newest.values("critical_errors")[:1]),
        rubric_value=Subquery(newest.values("rubric_version")[:1]),
    )


@dataclass(frozen=True)
class CaseLink:
    slug: str
    title: str


@dataclass
class Mastery:
    algorithm: str
    step: str
    title: str
    attempts: int
    missed: int
    cases: list[CaseLink] = field(default_factory=list)

    @property
    def met_percent(self) -> int:
        return round(100 * (self.attempts - self.missed) / self.attempts) if self.attempts else 0


@dataclass(frozen=True)
class History:
    page: Page
    chart: list[dict]
    mastery: list[Mastery]


def mastery_for(user) -> list[Mastery]:
    """The steps this user most often misses, worst first, each with the cases that practise it."""
    rows = (
        StepOutcome.objects.filter(score__attempt__user=user, score__rubric_version=RUBRIC_VERSION)
        .values("algorithm__slug", "step")
        .annotate(
            total=Count("id"),
            missed=Count("id", filter=Q(verdict=StepStatus.missed.value)),
            title=Max("title"),
        )
    )
    mastery = [
        Mastery(r["algorithm__slug"], r["step"], r["title"], r["total"], r["missed"]) for r in rows
    ]
    mastery.sort(key=lambda m: (-m.missed / m.attempts, -m.missed, m.title))
    mastery = mastery[:MASTERY_ROWS]
    _link_cases(user, [m for m in mastery if m.missed])
    return mastery


def _link_cases(user, mastery: list[Mastery]) -> None:
    if not mastery:
        return
    wanted = {m.algorithm for m in mastery}
    cases = (
        playable_cases(user)
        .select_related("published__algorithm_version__algorithm")
        .filter(published__algorithm_version__algorithm__slug__in=wanted)
    )
    for case in cases:
        version = case.published
        offered = version.parsed.offered_actions()
        algorithm = version.algorithm_version.parsed
        steps = {s.key: s for s in algorithm.steps}
        for item in mastery:
            step = steps.get(item.step)
            if (
                item.algorithm == algorithm.slug
                and step
                and offered & {*step.actions, *step.alternatives}
            ):
                item.cases.append(CaseLink(case.slug, version.title))


def chart_points(finished: list[tuple[datetime, str, int | None]]) -> list[dict]:
    """The chart's points, oldest first: each names its case and has an axis
    label of its own (two attempts finished in the same minute get "#2")."""
    chart, seen = [], Counter()
    for when, case, score in finished:
        if score is None:
            continue
        local = timezone.localtime(when)
        moment = f"{local.day} {local:%b %Y %H:%M}"
        seen[moment] += 1
        label = moment if seen[moment] == 1 else f"{moment} #{seen[moment]}"
        short = case if len(case) <= CASE_LABEL else case[: CASE_LABEL - 1].rstrip() + "…"
        chart.append({"when": label, "case": case, "short": short, "score": score})
    return chart


def history_for(user, page: str | None) -> History:
    attempts = with_scores(
        Attempt.objects.filter(user=user).select_related("case_version__case")
    ).order_by("-started_at")
    points = list(
        with_scores(Attempt.objects.filter(user=user, finished_at__isnull=False))
        .order_by("-finished_at")
        .values("finished_at", "case_version__title", "score_value")[:CHART_POINTS]
    )
    chart = chart_points(
        [(p["finished_at"], p["case_version__title"], p["score_value"]) for p in reversed(points)]
    )
    return History(
        page=Paginator(attempts, PAGE_SIZE).get_page(page),
        chart=chart,
        mastery=mastery_for(user),
    )
