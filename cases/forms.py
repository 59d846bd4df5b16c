"""The forms of the authoring list: a new case, a copy, an uploaded file.

Each takes the querysets its choices come from, so a form offers only what
the access funnel let the view see.
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from cases import models, schema
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
    file = forms.FileField(
        label="Case YAML file",
        help_text=".yaml or .yml, at most 256 KB; or the .zip a download with images gives",
    )
    program = forms.ModelChoiceField(queryset=None, empty_label=None)

    def __init__(self, *args, programs: QuerySet[Program], **kwargs) -> None:
        super().__init__(*args, prefix="import", **kwargs)
        self.fields["program"].queryset = programs


class FindingImageForm(forms.Form):
    """A finding's image: the file (optional when it shows one already, to change
    only the words), what it shows for those who cannot see it, and a caption."""

    file = forms.FileField(
        label="Image file",
        required=False,
        help_text="A PNG, JPEG or WebP image, at most 5 MB and 4096 pixels a side. "
        "Its metadata (camera, date, GPS position) is removed.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    alt = forms.CharField(
        label="Alt text",
        max_length=500,
        help_text="What the image shows, for someone who cannot see it "
        "(read aloud by screen readers).",
    )
    caption = forms.CharField(
        label="Caption", max_length=500, required=False, help_text="Shown under the image."
    )

    def __init__(self, *args, has_image: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].required = not has_image

    def _visible(self, name: str) -> str:
        text = self.cleaned_data[name].strip()
        if found := schema.INVISIBLE.search(text):
            raise forms.ValidationError(
                f"Contains U+{ord(found.group()):04X}, an invisible character that makes text "
                "read other than it shows; delete it."
            )
        return text

    def clean_alt(self) -> str:
        return self._visible("alt")

    def clean_caption(self) -> str:
        return self._visible("caption")
