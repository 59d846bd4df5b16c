"""The program pages: the director's dashboard, cohorts, rosters, assignments,
the mastery grid and exports, and the instructor's item analysis.

Every object comes through a funnel in scoring.access; anything the user may
not see is a 404.
"""

from __future__ import annotations

from typing import Literal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Case
from scoring.access import (
    ITEM_ANALYSTS,
    get_assignment_for_director,
    get_case_for_analyst,
    get_cohort_for_director,
    get_invitation_of_cohort,
    get_member_of_cohort,
    get_resident_on_cohort,
    item_analysis_cases,
)
from scoring.assignments import counted_scores, statuses_for
from scoring.cohorts import AssignmentTerms, assignment_create, assignment_update, cohort_create
from scoring.dashboard import dashboard_for, mastery_attempts, mastery_grid
from scoring.exports import csv_stream, export_for_director, xapi_json
from scoring.forms import AssignmentForm, CohortForm, MemberAddForm, RosterUploadForm
from scoring.invitations import (
    InvitationRefused,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_withdraw,
    pending_invitations,
)
from scoring.item_analysis import cases_with_counts, item_analysis
from scoring.models import Assignment, Cohort, CohortMember
from scoring.roster import (
    MAX_ROSTER_BYTES,
    NOT_REACHABLE,
    ROSTER_CONTENT_TYPES,
    RosterError,
    cohort_member_add,
    cohort_member_remove,
    find_resident,
    roster_import,
    roster_parse,
)
from simulator.accounts.access import get_program_for_user, programs_for
from simulator.accounts.models import Role
from simulator.params import whole_param

# --- the program ---------------------------------------------------------------------


@require_GET
@login_required
def program_index(request: HttpRequest) -> HttpResponse:
    """The programs the user directs: straight to the dashboard when there is one."""
    programs = list(programs_for(request.user, Role.DIRECTOR))
    if not programs:
        raise Http404("You direct no program.")
    if len(programs) == 1:
        return redirect("scoring:program_dashboard", slug=programs[0].slug)
    return render(request, "scoring/program_index.html", {"programs": programs})


@require_GET
@login_required
def program_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """Completion, score distribution, critical errors and trends, for the
    program or one cohort (``?cohort=``)."""
    program = get_program_for_user(request.user, slug, Role.DIRECTOR)
    cohort = None
    if (wanted := whole_param(request.GET, "cohort")) is not None:
        cohort = get_cohort_for_director(request.user, wanted, program=program)
    d = dashboard_for(program, cohort)
    charts = {
        "distribution": d.distribution,
        "trend": d.trend,
        "completion": [
            {"title": r.assignment.title, "done": r.done_percent} for r in d.assignments
        ],
    }
    return render(
        request,
        "scoring/program_dashboard.html",
        {"d": d, "charts": charts, "cohort_form": CohortForm(program=program)},
    )


@require_POST
@login_required
def cohort_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_program_for_user(request.user, slug, Role.DIRECTOR)
    form = CohortForm(request.POST, program=program)
    if not form.is_valid():
        d = dashboard_for(program)
        return render(
            request,
            "scoring/program_dashboard.html",
            {"d": d, "charts": {}, "cohort_form": form},
            status=400,
        )
    cohort = cohort_create(program=program, name=form.cleaned_data["name"])
    messages.success(request, f"Cohort {cohort.name} created. Add its residents below.")
    return redirect("scoring:cohort", pk=cohort.pk)


# --- cohorts and rosters ---------------------------------------------------------------


def _cohort_page(
    request: HttpRequest,
    cohort: Cohort,
    *,
    add_form: MemberAddForm | None = None,
    upload_form: RosterUploadForm | None = None,
    roster_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    members = list(
        CohortMember.objects.filter(cohort=cohort)
        .select_related("user")
        .order_by("removed_at", "user__last_name", "user__username")
    )
    assignments = list(cohort.assignments.prefetch_related("cases__published").order_by("due_at"))
    return render(
        request,
        "scoring/cohort.html",
        {
            "cohort": cohort,
            "program": cohort.program,
            "current": [m for m in members if m.removed_at is None],
            "removed": [m for m in members if m.removed_at is not None],
            "assignments": assignments,
            "add_form": add_form or MemberAddForm(),
            "upload_form": upload_form or RosterUploadForm(),
            "roster_errors": roster_errors or [],
            "invitations": pending_invitations(cohort),
        },
        status=status,
    )


@require_GET
@login_required
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A cohort's roster (with its history) and its assignments."""
    return _cohort_page(request, get_cohort_for_director(request.user, pk))


@require_POST
@login_required
def cohort_member_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_director(request.user, pk)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        user = find_resident(cohort.program, form.cleaned_data["identifier"])
        if user is None:
            form.add_error("identifier", NOT_REACHABLE)
        else:
            name = user.get_username()
            if cohort_member_add(cohort=cohort, user=user):
                messages.success(request, f"{name} added to {cohort.name}.")
            else:
                messages.info(request, f"{name} is already on {cohort.name}.")
            return redirect("scoring:cohort", pk=cohort.pk)
    return _cohort_page(request, cohort, add_form=form, status=400)


@require_POST
@login_required
def cohort_roster_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Add every resident in a CSV file, or none if any row is bad."""
    cohort = get_cohort_for_director(request.user, pk)
    form = RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _cohort_page(request, cohort, upload_form=form, status=400)
    upload = form.cleaned_data["roster"]
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    errors: list[str] = []
    if content_type not in ROSTER_CONTENT_TYPES or not upload.name.lower().endswith(
        (".csv", ".txt")
    ):
        errors = ["The file must be a CSV file (.csv)."]
    else:
        try:
            rows = roster_parse(upload.read(MAX_ROSTER_BYTES + 1))
            result = roster_import(cohort=cohort, rows=rows)
        except RosterError as exc:
            errors = exc.errors
    if errors:
        return _cohort_page(request, cohort, roster_errors=errors, status=400)
    parts = [f"{len(result.added)} resident{'s' if len(result.added) != 1 else ''} added"]
    if result.created:
        parts.append(f"{len(result.created)} new account{'s' if len(result.created) != 1 else ''}")
    if result.already:
        parts.append(f"{len(result.already)} already on the cohort")
    messages.success(request, ", ".join(parts) + ".")
    return redirect("scoring:cohort", pk=cohort.pk)


@require_POST
@login_required
def cohort_member_remove_view(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    cohort = get_cohort_for_director(request.user, pk)
    member = get_member_of_cohort(cohort, member_pk)
    cohort_member_remove(member=member)
    messages.success(
        request,
        f"{member.user.get_username()} removed from {cohort.name}. Their attempts and scores are kept.",
    )
    return redirect("scoring:cohort", pk=cohort.pk)


@require_POST
@login_required
def cohort_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """A new invitation link for the cohort, shown once on the cohort page."""
    cohort = get_cohort_for_director(request.user, pk)
    _, token = invitation_create(cohort=cohort, user=request.user)
    link = request.build_absolute_uri(reverse("scoring:invitation", args=[token]))
    messages.success(
        request,
        f"Invitation link (works once, for 14 days; copy it now, it is not shown again): {link}",
    )
    return redirect("scoring:cohort", pk=cohort.pk)


@require_POST
@login_required
def cohort_invitation_withdraw(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    cohort = get_cohort_for_director(request.user, pk)
    invitation = get_invitation_of_cohort(cohort, invitation_pk)
    invitation_withdraw(invitation=invitation)
    messages.success(request, "Invitation withdrawn: its link no longer works.")
    return redirect("scoring:cohort", pk=cohort.pk)


@require_http_methods(["GET", "POST"])
@login_required
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Where an invitation link lands: what joining means, and a button to join."""
    found = invitation_for_token(token)
    if found is None:
        raise Http404("This invitation has been used, withdrawn or has expired.")
    error = ""
    if request.method == "POST":
        try:
            joined = invitation_accept(token=token, user=request.user)
        except InvitationRefused as refused:
            error = str(refused)
        else:
            messages.success(
                request, f"You are on {joined.cohort.name} of {joined.cohort.program.name}."
            )
            return redirect("home")
    return render(
        request,
        "scoring/invitation.html",
        {"invitation": found, "error": error},
        status=400 if error else 200,
    )


# --- the mastery grid ------------------------------------------------------------------


@require_GET
@login_required
def cohort_mastery(request: HttpRequest, pk: int) -> HttpResponse:
    """Residents × algorithm steps: which steps the cohort misses."""
    cohort = get_cohort_for_director(request.user, pk)
    return render(request, "scoring/mastery.html", {"cohort": cohort, "grid": mastery_grid(cohort)})


@require_GET
@login_required
def cohort_mastery_cell(request: HttpRequest, pk: int, algorithm: str, step: str) -> HttpResponse:
    """The attempts behind one cell of the grid: a step, for one resident or the whole cohort."""
    cohort = get_cohort_for_director(request.user, pk)
    resident = None
    if (wanted := whole_param(request.GET, "resident")) is not None:
        resident = get_resident_on_cohort(cohort, wanted)
    outcomes = mastery_attempts(cohort, algorithm, step, resident.pk if resident else None)
    page = Paginator(outcomes, 50).get_page(request.GET.get("page"))
    title = page.object_list[0].title if page.object_list else step
    return render(
        request,
        "scoring/mastery_cell.html",
        {
            "cohort": cohort,
            "resident": resident,
            "algorithm": algorithm,
            "step": step,
            "title": title,
            "page": page,
        },
    )


# --- assignments -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def assignment_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_director(request.user, pk)
    now = timezone.now().replace(second=0, microsecond=0)
    form = AssignmentForm(
        request.POST or None,
        program=cohort.program,
        initial={"opens_at": now, "due_at": now + timezone.timedelta(days=14)},
    )
    if request.method == "POST" and form.is_valid():
        assignment = assignment_create(cohort=cohort, terms=AssignmentTerms(**form.cleaned_data))
        messages.success(request, f"Assignment {assignment.title} created for {cohort.name}.")
        return redirect("scoring:assignment", pk=assignment.pk)
    return render(
        request,
        "scoring/assignment_form.html",
        {"form": form, "cohort": cohort, "assignment": None},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def assignment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_assignment_for_director(request.user, pk)
    cohort = assignment.cohort
    form = AssignmentForm(request.POST or None, instance=assignment, program=cohort.program)
    if request.method == "POST" and form.is_valid():
        assignment_update(assignment=assignment, terms=AssignmentTerms(**form.cleaned_data))
        messages.success(request, f"Assignment {assignment.title} saved.")
        return redirect("scoring:assignment", pk=assignment.pk)
    return render(
        request,
        "scoring/assignment_form.html",
        {"form": form, "cohort": cohort, "assignment": assignment},
        status=400 if form.is_bound else 200,
    )


@require_GET
@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Each resident on the cohort: done, late, passed, and their counted scores."""
    assignment = get_assignment_for_director(request.user, pk)
    assignment = (
        Assignment.objects.filter(pk=assignment.pk)
        .select_related("cohort__program")
        .prefetch_related(
            Prefetch(
                "cases",
                queryset=Case.objects.select_related("published").order_by("published__title"),
            )
        )
        .get()
    )
    members = list(
        CohortMember.objects.filter(cohort=assignment.cohort, removed_at__isnull=True)
        .select_related("user")
        .order_by("user__last_name", "user__username")
    )
    rows = counted_scores([assignment])
    now = timezone.now()
    residents = [(m.user, statuses_for([assignment], rows, m.user_id, now=now)[0]) for m in members]
    return render(
        request,
        "scoring/assignment.html",
        {
            "assignment": assignment,
            "cohort": assignment.cohort,
            "cases": list(assignment.cases.all()),
            "residents": residents,
            "done": sum(s.done for _, s in residents),
            "passed": sum(s.passed for _, s in residents),
            "late": sum(s.late for _, s in residents),
        },
    )


# --- exports ---------------------------------------------------------------------------


@require_GET
@never_cache
@login_required
def export(
    request: HttpRequest,
    pk: int,
    of: Literal["cohort", "assignment"],
    kind: Literal["csv", "xapi"],
) -> HttpResponseBase:
    """A cohort's or an assignment's scores (``of``, from the URL pattern) as
    a streamed CSV file, one row per attempt and a column per step, or as its
    xAPI statements in a JSON array (``kind``)."""
    download = export_for_director(request.user, of=of, pk=pk)
    response: HttpResponseBase
    if kind == "csv":
        response = StreamingHttpResponse(
            csv_stream(download.scores, download.columns), content_type="text/csv; charset=utf-8"
        )
        filename = f"{download.name}-scores.csv"
    else:
        response = HttpResponse(xapi_json(download.scores), content_type="application/json")
        filename = f"{download.name}-xapi.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- item analysis -----------------------------------------------------------------------


@require_GET
@login_required
def items_index(request: HttpRequest) -> HttpResponse:
    """For an instructor or director: the cases of each of their programs that can be analysed."""
    programs = list(programs_for(request.user, ITEM_ANALYSTS))
    if not programs:
        raise Http404("You are an instructor or director in no program.")
    listing = []
    for program in programs:
        cases = list(
            item_analysis_cases(program)
            .filter(published__isnull=False)
            .select_related("published")
            .order_by("published__title")
        )
        listing.append((program, cases_with_counts(program, cases)))
    return render(request, "scoring/items_index.html", {"listing": listing})


@require_GET
@login_required
def case_item_analysis(request: HttpRequest, slug: str, case_slug: str) -> HttpResponse:
    """Each decision of a case as a test item: choices, difficulty, discrimination, flags."""
    program, case = get_case_for_analyst(request.user, slug, case_slug)
    analysis = item_analysis(program, case, whole_param(request.GET, "version"))
    return render(request, "scoring/item_analysis.html", {"program": program, "a": analysis})
