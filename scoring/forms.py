"""Forms for the program pages: cohorts, rosters and assignments."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet

from cases.models import Case
from scoring.models import Assignment, Cohort
from scoring.roster import MAX_ROSTER_BYTES
from simulator.accounts.models import Program

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class CohortForm(forms.Form):
    name = forms.CharField(label="Cohort name", max_length=100, help_text="For example PGY-1 2026.")

    def __init__(self, *args, program: Program, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.program = program

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Cohort.objects.filter(program=self.program, name__iexact=name).exists():
            raise forms.ValidationError("This program already has a cohort with that name.")
        return name


class MemberAddForm(forms.Form):
    identifier = forms.CharField(
        label="Username or email",
        max_length=254,
        help_text="Of a resident of this program; invite anyone else with a link.",
    )


class RosterUploadForm(forms.Form):
    roster = forms.FileField(
        label="Roster file (CSV)",
        help_text=(
            "A header line naming username, and optionally email, first_name, last_name; "
            f"then one resident per line. At most {MAX_ROSTER_BYTES // 1024} KB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


def assignable_cases(program: Program) -> QuerySet[Case]:
    """Published cases a program can assign: its own and the bundled ones."""
    return (
        Case.objects.filter(Q(program__isnull=True) | Q(program=program), published__isnull=False)
        .select_related("published")
        .order_by("published__title")
    )


class CaseChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Case) -> str:
        """The title, with what a director weighs when assigning: level and time."""
        if obj.published is None:
            return obj.slug
        v = obj.published
        return f"{v.title} — {v.get_difficulty_display().lower()}, about {v.minutes} min"


class AssignmentForm(forms.ModelForm):
    cases = CaseChoiceField(
        queryset=Case.objects.none(), widget=forms.CheckboxSelectMultiple, label="Cases"
    )
    opens_at = forms.DateTimeField(
        label="Opens",
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        help_text="UTC.",
    )
    due_at = forms.DateTimeField(
        label="Due",
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        help_text="UTC. Attempts finished after this are marked late.",
    )
    pass_mark = forms.IntegerField(
        label="Pass mark (%)",
        min_value=0,
        max_value=100,
        initial=70,
        help_text="A counted score at or above this passes.",
    )

    class Meta:
        model = Assignment
        fields = ["title", "cases", "opens_at", "due_at", "mode", "pass_mark", "counts"]
        labels = {"counts": "Which attempt counts", "mode": "Feedback"}
        widgets = {"mode": forms.RadioSelect, "counts": forms.RadioSelect}

    def __init__(self, *args, program: Program, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = assignable_cases(program)

    def clean(self) -> dict:
        data = super().clean()
        opens, due = data.get("opens_at"), data.get("due_at")
        if opens and due and due <= opens:
            self.add_error("due_at", "The due date must be after the opening date.")
        return data
