"""The case catalogue: which published cases a user may play, filtered."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db.models import Count, Max, Q, QuerySet

from cases.models import Case
from cases.schema import Difficulty
from scoring.models import Score
from scoring.rubric import RUBRIC_VERSION
from simulator.access import playable_cases
from simulator.models import Attempt


class CatalogueFilter(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    topic = forms.ChoiceField(label="Topic", required=False)
    difficulty = forms.ChoiceField(
        label="Difficulty",
        required=False,
        choices=[("", "Any difficulty")] + [(d.value, d.value.title()) for d in Difficulty],
    )

    def __init__(self, *args, topics: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "Any topic")] + [(t, t) for t in topics]


@dataclass(frozen=True)
class Catalogue:
    form: CatalogueFilter
    cases: list[Case]


def catalogue_for(user, params) -> Catalogue:
    cases: QuerySet[Case] = (
        playable_cases(user)
        .select_related("published__algorithm_version__algorithm", "published__reviewer")
        .defer("published__document", "published__references")
        .order_by("published__title")
    )
    topics = sorted(
        set(cases.values_list("published__algorithm_version__algorithm__topic", flat=True))
    )
    form = CatalogueFilter(params, topics=topics)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            cases = cases.filter(
                Q(published__title__icontains=data["q"])
                | Q(published__presentation__icontains=data["q"])
            )
        if data["topic"]:
            cases = cases.filter(published__algorithm_version__algorithm__topic=data["topic"])
        if data["difficulty"]:
            cases = cases.filter(published__difficulty=data["difficulty"])
    return Catalogue(form=form, cases=list(cases))


@dataclass(frozen=True)
class CaseProgress:
    """Where a user stands on one case, for the catalogue."""

    in_progress: bool
    finished: bool
    best: int | None  # the best score under the current rubric


def case_progress(user) -> dict[int, CaseProgress]:
    """Case id -> the user's progress on it, for every case they have started
    (two queries, however many cases and attempts)."""
    started = (
        Attempt.objects.filter(user=user)
        .values("case_version__case_id")
        .annotate(
            open=Count("pk", filter=Q(finished_at__isnull=True)),
            done=Count("pk", filter=Q(finished_at__isnull=False)),
        )
    )
    best = dict(
        Score.objects.filter(attempt__user=user, rubric_version=RUBRIC_VERSION)
        .values("attempt__case_version__case_id")
        .annotate(best=Max("score"))
        .values_list("attempt__case_version__case_id", "best")
    )
    return {
        row["case_version__case_id"]: CaseProgress(
            in_progress=row["open"] > 0,
            finished=row["done"] > 0,
            best=best.get(row["case_version__case_id"]),
        )
        for row in started
    }
