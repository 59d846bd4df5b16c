"""The instructor's list of cases, and the three ways to start one: new, copy, import."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cases import access, authoring, editing, models
from cases.forms import CopyCaseForm, ImportForm, NewCaseForm


def _render_list(request: HttpRequest, status: int = 200, **bound) -> HttpResponse:
    """The list page; ``bound`` holds a posted form that comes back with its errors."""
    programs = access.get_programs_for_author(request.user)
    rows = access.newest_versions_for_author(request.user)
    originals = (
        access.copyable_versions(request.user)
        .select_related("case")
        .defer(*models.HEAVY_FIELDS)
        .order_by("title")
    )
    context = {
        "rows": rows,
        "to_review": [v for v in rows if v.awaits_review_by(request.user)],
        "import_report": bound.get("import_report"),
        "new_form": bound.get("new_form") or NewCaseForm(programs=programs),
        "copy_form": bound.get("copy_form") or CopyCaseForm(programs=programs, originals=originals),
        "import_form": bound.get("import_form") or ImportForm(programs=programs),
    }
    return render(request, "cases/authoring.html", context, status=status)


def _say_if_moved(request: HttpRequest, slug: str, version: models.CaseVersion) -> None:
    """Tell the author the slug their new case got, when it is not the one they asked for."""
    if version.case.slug != slug:
        messages.info(
            request,
            f"The address '{slug}' is not available, so the case is at '{version.case.slug}'.",
        )


@require_GET
@login_required
def authoring_home(request: HttpRequest) -> HttpResponse:
    """The instructor's cases, the review queue, and ways to start a new case."""
    return _render_list(request)


@require_POST
@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    programs = access.get_programs_for_author(request.user)
    form = NewCaseForm(request.POST, programs=programs)
    if not form.is_valid():
        return _render_list(request, status=400, new_form=form)
    try:
        version = authoring.case_create(
            user=request.user,
            program=form.cleaned_data["program"],
            slug=form.cleaned_data["slug"],
            title=form.cleaned_data["title"],
            algorithm=form.cleaned_data["algorithm"],
        )
    except (authoring.AuthoringRefused, editing.EditRefused) as refused:
        form.add_error("slug", str(refused))
        return _render_list(request, status=400, new_form=form)
    messages.success(request, f"Case “{version.title}” created: fill in its stages.")
    _say_if_moved(request, form.cleaned_data["slug"], version)
    return redirect("cases:edit", slug=version.case.slug)


@require_POST
@login_required
def case_copy(request: HttpRequest) -> HttpResponse:
    programs = access.get_programs_for_author(request.user)
    # The chosen original is copied whole: its document is loaded, unlike the list's.
    originals = access.copyable_versions(request.user).select_related("case")
    form = CopyCaseForm(request.POST, programs=programs, originals=originals)
    if not form.is_valid():
        return _render_list(request, status=400, copy_form=form)
    try:
        version = authoring.case_copy(
            user=request.user,
            program=form.cleaned_data["program"],
            original=form.cleaned_data["original"],
            slug=form.cleaned_data["slug"],
        )
    except (authoring.AuthoringRefused, editing.EditRefused) as refused:
        form.add_error("slug", str(refused))
        return _render_list(request, status=400, copy_form=form)
    messages.success(request, f"Copied into “{version.title}”.")
    _say_if_moved(request, form.cleaned_data["slug"], version)
    return redirect("cases:edit", slug=version.case.slug)


@require_POST
@login_required
def case_import(request: HttpRequest) -> HttpResponse:
    """A case from an uploaded YAML file, through the same validator as import_content."""
    programs = access.get_programs_for_author(request.user)
    form = ImportForm(request.POST, request.FILES, programs=programs)
    if not form.is_valid():
        return _render_list(request, status=400, import_form=form)
    upload = form.cleaned_data["file"]
    # One byte past the limit is enough to refuse a file, however big it is; a zip
    # of a case and its images is bounded by the request's cap.
    limit = settings.MAX_REQUEST_BYTES if upload.name.lower().endswith(".zip") else None
    try:
        data = upload.read((limit or authoring.MAX_UPLOAD_BYTES) + 1)
        text, images = authoring.upload_case(upload.name, data, settings.MAX_REQUEST_BYTES)
        version, report = authoring.case_import(
            user=request.user, program=form.cleaned_data["program"], text=text, images=images
        )
    except authoring.AuthoringRefused as refused:
        form.add_error("file", str(refused))
        return _render_list(request, status=400, import_form=form)
    if version is None:
        form.add_error("file", f"Nothing was imported: {report.summary()}")
        return _render_list(request, status=400, import_form=form, import_report=report)
    messages.success(request, f"Imported as version {version.number} of “{version.title}”.")
    (uploaded,) = report.sources
    _say_if_moved(request, uploaded.document.slug, version)
    return redirect("cases:edit", slug=version.case.slug)
