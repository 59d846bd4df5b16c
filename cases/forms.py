"""The forms of the authoring list: a new case, a copy, an uploaded file.

Each takes the querysets its choices come from, so a form offers only what
the access funnel let the view see.
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from cases import models
from simulator.accounts.models import Program


class NewCaseForm(forms.Form):
    slug = forms.SlugField(
        max_length=80, help_text="Lower-case letters, digits, '-' and '_'; it cannot change."
    )
    title = forms.CharField(max_length=200)
    algorithm = forms.ModelChoiceField(
        queryset=models.Algorithm.objects.order_by("title"), empty_label=None
    )
    program = forms.ModelChoiceField(queryset=None, empty_label=None)

    def __init__(self, *args, programs: QuerySet[Program], **kwargs) -> None:
        super().__init__(*args, prefix="new", **kwargs)
        self.fields["program"].queryset = programs


class CopyCaseForm(forms.Form):
    original = forms.ModelChoiceField(queryset=None, empty_label=None, label="Case to copy")
    slug = forms.SlugField(max_length=80, label="Slug of the copy")
    program = forms.ModelChoiceField(queryset=None, empty_label=None)

    def __init__(
        self,
        *args,
        programs: QuerySet[Program],
        originals: QuerySet[models.CaseVersion],
        **kwargs,
    ) -> None:
        super().__init__(*args, prefix="copy", **kwargs)
        self.fields["program"].queryset = programs
        self.fields["original"].queryset = originals
        self.fields["original"].label_from_instance = lambda v: f"{v.title} ({v.case.slug})"


class ImportForm(forms.Form):
    file = forms.FileField(label="Case YAML file", help_text=".yaml or .yml, at most 256 KB")
    program = forms.ModelChoiceField(queryset=None, empty_label=None)

    def __init__(self, *args, programs: QuerySet[Program], **kwargs) -> None:
        super().__init__(*args, prefix="import", **kwargs)
        self.fields["program"].queryset = programs
