"""Moving a version through review (submit, review, comment, approve, send back),
and every version of a case: compared, and exported as YAML."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases import access, authoring, editor, graph, models
from cases.services import latest_references
from cases.views.editor import editor_url
from simulator.params import parse_whole


@require_POST
@login_required
def case_new_draft(request: HttpRequest, slug: str) -> HttpResponse:
    """Start editing: the open draft, or a new draft copied from the newest version."""
    case = access.get_case_for_author(request.user, slug)
    try:
        version = authoring.case_version_new_draft(case=case, user=request.user)
    except authoring.AuthoringRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Version {version.number} is a draft: edit away.")
    return redirect("cases:edit", slug=case.slug)


@require_POST
@login_required
def case_submit(request: HttpRequest, slug: str) -> HttpResponse:
    version = access.get_newest_version_for_author(request.user, slug)
    try:
        saved = authoring.case_version_submit(version=version, user=request.user)
    except authoring.AuthoringRefused as refused:
        messages.error(request, str(refused))
        return redirect("cases:edit", slug=slug)
    if not saved.ok:
        messages.error(
            request, f"Not submitted: {saved.report.summary()} Fix them, then submit again."
        )
        return redirect(reverse("cases:edit", args=[slug]) + "#problems")
    messages.success(request, f"Version {version.number} submitted for review.")
    return redirect("cases:edit", slug=slug)


def _review_action(request: HttpRequest, slug: str, act: Callable) -> HttpResponse:
    version = access.get_newest_version_for_author(request.user, slug)
    try:
        result = act(version)
    except authoring.AuthoringRefused as refused:
        messages.error(request, str(refused))
        return redirect("cases:review", slug=slug)
    if isinstance(result, authoring.Saved) and not result.ok:
        messages.error(request, f"Not approved: {result.report.summary()}")
    return redirect("cases:review", slug=slug)


@require_POST
@login_required
def review_start(request: HttpRequest, slug: str) -> HttpResponse:
    return _review_action(
        request,
        slug,
        lambda v: authoring.case_version_start_review(version=v, user=request.user),
    )


@require_POST
@login_required
def review_approve(request: HttpRequest, slug: str) -> HttpResponse:
    note = request.POST.get("note", "")
    version = access.get_newest_version_for_author(request.user, slug)
    still_open = list(version.comments.filter(resolved=False).select_related("author"))
    if still_open and request.POST.get("confirm") != "yes":
        # Approving over open comments is allowed, but never by accident.
        return render(
            request,
            "cases/approve_confirm.html",
            {"case": version.case, "version": version, "comments": still_open, "note": note},
        )

    def approve(version: models.CaseVersion) -> authoring.Saved:
        saved = authoring.case_version_approve(version=version, user=request.user, note=note)
        if saved.ok:
            messages.success(request, f"Version {version.number} approved and published.")
        return saved

    return _review_action(request, slug, approve)


@require_POST
@login_required
def review_request_changes(request: HttpRequest, slug: str) -> HttpResponse:
    note = request.POST.get("note", "")

    def send_back(version: models.CaseVersion) -> models.CaseVersion:
        version = authoring.case_version_request_changes(
            version=version, user=request.user, note=note
        )
        messages.success(request, "Changes requested: the author sees your note and comments.")
        return version

    return _review_action(request, slug, send_back)


@require_POST
@login_required
def review_comment(request: HttpRequest, slug: str) -> HttpResponse:
    stage, text = request.POST.get("stage", ""), request.POST.get("text", "")
    return _review_action(
        request,
        slug,
        lambda v: authoring.review_comment_add(
            version=v, user=request.user, stage=stage, text=text
        ),
    )


@require_POST
@login_required
def comment_resolve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    comment = access.get_comment_for_author(request.user, pk)
    if comment.version.case.slug != slug:
        raise Http404("No such comment.")
    authoring.review_comment_resolve(comment=comment)
    anchor = f"stage-{comment.stage}" if comment.stage else "problems"
    return redirect(editor_url(slug, anchor, comment.stage))


@require_GET
@login_required
def case_review(request: HttpRequest, slug: str) -> HttpResponse:
    """The newest version as a reviewer reads it: every stage, what changed, the comments."""
    version = access.get_newest_version_for_author(request.user, slug)
    case = version.case
    data, too_big = authoring.showable_data(version)
    comments = authoring.comments_by_stage(version)
    previous = case.published if case.published_id and case.published_id != version.pk else None
    algorithm = version.algorithm_version.parsed
    return render(
        request,
        "cases/review.html",
        {
            "case": case,
            "version": version,
            "tab": "review",
            "details": editor.details(data),
            # Read-only: the stages as they stand, without the validator's problems.
            "stages": [editor.stage_part(data, key) for key in graph.play_order(data)],
            "comments": comments,
            "case_comments": comments.get("", []),
            "changes": authoring.version_diff(previous, version) if previous else None,
            "previous": previous,
            "action_labels": {key: a.label for key, a in algorithm.actions.items()},
            "references": latest_references(),
            "too_big": too_big,
            "can_review": version.awaits_review_by(request.user),
        },
    )


@require_GET
@login_required
def case_versions(request: HttpRequest, slug: str) -> HttpResponse:
    """Every version, and a readable difference between any two (?a=1&b=2)."""
    case = access.get_case_for_author(request.user, slug)
    versions = list(
        case.versions.select_related("author", "reviewer")
        .defer(*models.HEAVY_FIELDS)
        .order_by("-number")
    )
    by_number = {v.number: v for v in versions}
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    if not (a or b) and len(versions) > 1:  # unasked, the newest change
        a, b = str(versions[1].number), str(versions[0].number)
    pair = [by_number.get(parse_whole(n)) for n in (a, b)] if a or b else []
    refused = "Choose two versions of this case to compare." if None in pair else ""
    return render(
        request,
        "cases/versions.html",
        {
            "case": case,
            "version": versions[0] if versions else None,
            "versions": versions,
            "tab": "versions",
            "diff": authoring.version_diff(*pair) if pair and not refused else None,
            "refused": refused,
            "a": a,
            "b": b,
        },
        status=400 if refused else 200,
    )


@require_GET
@never_cache
@login_required
def case_export(request: HttpRequest, slug: str) -> HttpResponse:
    """Download a version as YAML (the newest unless ?version=N); with the images its
    findings show, a zip of the YAML and the images."""
    case = access.get_case_for_author(request.user, slug)
    number = request.GET.get("version")
    version = (
        access.get_version_for_author(request.user, slug, number)
        if number
        else access.newest_version(case)
    )
    content, name, content_type = authoring.export_file(version)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
