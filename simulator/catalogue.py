"""The case catalogue: which published cases a user may play, filtered."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db.models import Q, QuerySet

from cases.models import Case
from cases.schema import Difficulty
from simulator.access import playable_cases


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
