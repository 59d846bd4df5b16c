"""Authoring and clinical review of cases in the browser.

Every view gets its case through ``cases.access`` (a 404 for anyone who is not
an instructor of the case's program) and writes through ``cases.authoring``.
Editor forms post with htmx and get their part of the page back, with the
problem list swapped in beside it; without JavaScript the same forms post
and redirect back to the part.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from cases import access, authoring, editing, editor, models
from cases.citations import CitationIndex
from cases.diff import document_diff
from cases.graph import diagram
from cases.markdown import render as render_markdown
from cases.paths import explore
from cases.services import latest_references
from cases.validate import Report
from cases.yamlmap import YamlProblem, load
from simulator import engine
from simulator.models import Attempt, Choice, Mode
from simulator.params import parse_whole
from simulator.presenters import decision_review, finding_groups, form_options, progress
from simulator.services import Play

# A list never loads what it does not show: a document may be a megabyte.
HEAVY = ("document", "source", "references")


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# --- the list of cases --------------------------------------------------------------


class NewCaseForm(forms.Form):
    slug = forms.SlugField(
        max_length=80, help_text="Lower-case letters, digits, '-' and '_'; it cannot change."
    )
    title = forms.CharField(max_length=200)
    algorithm = forms.ModelChoiceField(
        queryset=models.Algorithm.objects.order_by("title"), empty_label=None
    )
    program = forms.ModelChoiceField(queryset=None, empty_label=None)

    def __init__(self, *args, programs, **kwargs) -> None:
        super().__init__(*args, prefix="new", **kwargs)
        self.fields["program"].queryset = programs


class CopyCaseForm(forms.Form):
    original = forms.ModelChoiceField(queryset=None, empty_label=None, label="Case to copy")
    slug = forms.SlugField(max_length=80, label="Slug of the copy")
    program = forms.ModelChoiceField(queryset=None, empty_label=None)

    def __init__(self, *args, programs, originals, **kwargs) -> None:
        super().__init__(*args, prefix="copy", **kwargs)
        self.fields["program"].queryset = programs
        self.fields["original"].queryset = originals
        self.fields["original"].label_from_instance = lambda v: f"{v.title} ({v.case.slug})"


class ImportForm(forms.Form):
    file = forms.FileField(label="Case YAML file", help_text=".yaml or .yml, at most 256 KB")
    program = forms.ModelChoiceField(queryset=None, empty_label=None)

    def __init__(self, *args, programs, **kwargs) -> None:
        super().__init__(*args, prefix="import", **kwargs)
        self.fields["program"].queryset = programs


def _programs(request: HttpRequest):
    programs = access.author_programs(request.user)
    if not programs.exists():
        raise Http404("Authoring is for instructors.")
    return programs


def _list_forms(request: HttpRequest, programs, **bound) -> dict:
    originals = (
        access.copyable_versions(request.user)
        .select_related("case")
        .defer(*HEAVY)
        .order_by("title")
    )
    return {
        "new_form": bound.get("new_form") or NewCaseForm(programs=programs),
        "copy_form": bound.get("copy_form") or CopyCaseForm(programs=programs, originals=originals),
        "import_form": bound.get("import_form") or ImportForm(programs=programs),
    }


def _render_list(request: HttpRequest, status: int = 200, **bound) -> HttpResponse:
    programs = _programs(request)
    versions = (
        models.CaseVersion.objects.filter(case__in=access.authorable_cases(request.user))
        .select_related("case__program", "author", "reviewer")
        .defer(*HEAVY)
        .order_by("case__slug", "number")
    )
    newest: dict[int, models.CaseVersion] = {}
    for version in versions:
        newest[version.case_id] = version
    rows = sorted(newest.values(), key=lambda v: (v.title.lower(), v.case.slug))
    to_review = [v for v in rows if v.status in models.IN_REVIEW and v.author_id != request.user.pk]
    context = {
        "rows": rows,
        "to_review": to_review,
        "import_report": bound.pop("import_report", None),
        **_list_forms(request, programs, **bound),
    }
    return render(request, "cases/authoring.html", context, status=status)


@require_GET
@login_required
def authoring_home(request: HttpRequest) -> HttpResponse:
    """The instructor's cases, the review queue, and ways to start a new case."""
    return _render_list(request)


@require_POST
@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    programs = _programs(request)
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


def _say_if_moved(request: HttpRequest, slug: str, version: models.CaseVersion) -> None:
    """Tell the author the slug their new case got, when it is not the one they asked for."""
    if version.case.slug != slug:
        messages.info(
            request,
            f"The address '{slug}' is not available, so the case is at '{version.case.slug}'.",
        )


@require_POST
@login_required
def case_copy(request: HttpRequest) -> HttpResponse:
    programs = _programs(request)
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
    programs = _programs(request)
    form = ImportForm(request.POST, request.FILES, programs=programs)
    if not form.is_valid():
        return _render_list(request, status=400, import_form=form)
    upload = form.cleaned_data["file"]
    try:
        if upload.size > authoring.MAX_UPLOAD_BYTES:
            raise authoring.AuthoringRefused(
                f"The file is over {authoring.MAX_UPLOAD_BYTES // 1024} KB."
            )
        text = authoring.upload_text(upload.name, upload.read(authoring.MAX_UPLOAD_BYTES + 1))
        version, report = authoring.case_import(
            user=request.user, program=form.cleaned_data["program"], text=text
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


# --- the editor -------------------------------------------------------------------------


def _newest(case: models.Case) -> models.CaseVersion:
    version = (
        case.versions.select_related("algorithm_version__algorithm", "author", "reviewer")
        .order_by("-number")
        .first()
    )
    if version is None:
        raise Http404("No such case.")
    version.case = case
    return version


def _working(request: HttpRequest, slug: str) -> tuple[models.Case, models.CaseVersion]:
    case = access.get_case_for_author(request.user, slug)
    return case, _newest(case)


def _data(version: models.CaseVersion) -> tuple[object, str]:
    """The draft's working data, and the YAML error that stops the forms (or "")."""
    try:
        return load(authoring.draft_text(version)).data, ""
    except YamlProblem as problem:
        return version.document, f"line {problem.line}: {problem.message}"


def _showable(version: models.CaseVersion) -> tuple[object, str]:
    """The draft's working data for a page that shows every stage, and why it cannot
    ("" when it can): past the validator's limits such a page would be too big."""
    data, _ = _data(version)
    too_big = editor.over_limits(data)
    return ({} if too_big else data), too_big


def _editor_context(
    case: models.Case,
    version: models.CaseVersion,
    report: Report | None = None,
    *,
    overrides: dict[str, editor.StagePart] | None = None,
    open_stage: str = "",
) -> dict:
    """What the editor shows; ``open_stage`` is the stage whose form a large case opens."""
    references = latest_references()
    report = report or authoring.check_version(version, references)
    (checked,) = report.sources  # the draft's text, already parsed: parsing is the slow part
    data, broken = (checked.located.data, "") if checked.located else _data(version)
    oversized = "" if broken else editor.over_limits(data)
    algorithm = version.algorithm_version.parsed
    problems = report.problems
    keys = [] if broken or oversized else list(editor.stages_of(data))
    stages = [(overrides or {}).get(key) or editor.stage_part(data, key, problems) for key in keys]
    comments = authoring.open_comments(version)
    by_stage: dict[str, list] = {}
    for comment in comments:
        by_stage.setdefault(comment.stage, []).append(comment)
    return {
        "case": case,
        "version": version,
        "tab": "edit",
        "broken": broken,
        "oversized": oversized,
        "details": editor.details(data),
        "stages": stages,
        "one_open": len(stages) > editor.ALL_OPEN_STAGES,
        "open_stage": open_stage,
        "choices": editor.choices(data, algorithm, references),
        "problems": editor.problem_views(problems),
        "report": report,
        "comments": by_stage,
        "yaml_text": authoring.draft_text(version),
    }


@require_GET
@login_required
def case_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The editor for the newest version: forms for a draft, a summary otherwise.
    A large case opens the form of one stage, ``?stage=KEY``."""
    case, version = _working(request, slug)
    context = _editor_context(case, version, open_stage=request.GET.get("stage", ""))
    return render(request, "cases/editor.html", context)


def _editor_url(slug: str, anchor: str, stage: str = "") -> str:
    """The editor at ``anchor``, with ``stage``'s form open."""
    query = f"?{urlencode({'stage': stage})}" if stage else ""
    return reverse("cases:edit", args=[slug]) + f"{query}#{anchor}"


def _part_response(
    request: HtmxHttpRequest,
    case: models.Case,
    saved: authoring.Saved,
    part: str,
    anchor: str,
    overrides: dict[str, editor.StagePart] | None = None,
) -> HttpResponse:
    """htmx gets the part and, out of band, the problem list; a plain post a redirect
    (or, when part of the form was refused, the whole editor showing why)."""
    key, index = "", ""  # the stage of a stage or option part, and the option's index
    if part in ("stage", "option"):
        key = anchor.removeprefix(f"{part}-")
        if part == "option":
            key, _, index = key.rpartition("-")
    if not request.htmx and not overrides:
        return redirect(_editor_url(case.slug, anchor, key))
    context = _editor_context(
        case, saved.version, saved.report, overrides=overrides, open_stage=key
    )
    if not request.htmx:
        return render(request, "cases/editor.html", context, status=400)
    part_context = {**context, "just_saved": anchor}
    if key:
        stage = next((s for s in context["stages"] if s.key == key), None)
        if stage is None:
            raise Http404("No such stage.")
        part_context["stage"] = stage
        if part == "option":
            part_context["option"] = stage.options[int(index)]
    html = render_to_string(f"cases/editor.html#{part}", part_context, request)
    html += render_to_string("cases/editor.html#problems", {**context, "oob": True}, request)
    return HttpResponse(html)


def _refused(request: HtmxHttpRequest, case: models.Case, refused: Exception) -> HttpResponse:
    """Back to the editor, saying why the edit was refused (nothing was stored)."""
    messages.error(request, str(refused))
    url = reverse("cases:edit", args=[case.slug])
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _edit(
    request: HtmxHttpRequest, slug: str, change: Callable[[dict], object]
) -> tuple[models.Case, authoring.Saved, object] | HttpResponse:
    """Apply one form to the draft; a refused edit goes back to the editor with why."""
    case, version = _working(request, slug)
    try:
        saved, result = authoring.case_version_edit(version=version, change=change)
    except (editing.EditRefused, authoring.AuthoringRefused) as refused:
        return _refused(request, case, refused)
    return case, saved, result


def _finding_rows(form: Mapping[str, str]) -> list[dict[str, str]] | None:
    """The findings fieldsets a form posted, or None when it has none."""
    if not form.get("findings"):
        return None
    count = parse_whole(form.get("rows", ""))
    if count is None:  # the editor always sends it; a guess could drop every finding
        raise editing.EditRefused("The findings arrived without their count: nothing was saved.")
    rows = []
    for i in range(min(count, 200)):
        row = {name: form.get(f"f{i}-{name}", "") for name in editing.FINDING_FIELDS}
        row["remove"] = form.get(f"f{i}-remove", "")
        rows.append(row)
    return rows


@require_POST
@login_required
def details_save(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Save the case's details, the patient and the findings known from the start.
    htmx gets the details fragment."""

    def change(data: dict) -> None:
        rows = _finding_rows(request.POST)
        editing.set_details(data, request.POST)
        if rows is not None:
            editing.set_findings(data, None, rows)

    done = _edit(request, slug, change)
    if isinstance(done, HttpResponse):
        return done
    case, saved, _ = done
    return _part_response(request, case, saved, "details", "details")


def _stage_change(key: str, form: Mapping[str, str]) -> Callable[[dict], str]:
    def change(data: dict) -> str:
        rows = _finding_rows(form)
        new_key = editing.set_stage(data, key, form)
        if rows is not None:
            editing.set_findings(data, new_key, rows)
        return new_key

    return change


@require_POST
@login_required
def stage_save(request: HtmxHttpRequest, slug: str, key: str) -> HttpResponse:
    """Save one stage: its text, decision and findings. htmx gets the stage fragment.

    A new key that cannot be used is refused, but everything else typed is
    saved and the typed key is shown back with the reason.
    """
    form = request.POST
    typed = form.get("key", key).strip() or key
    case, version = _working(request, slug)
    error = ""
    try:
        saved, new_key = authoring.case_version_edit(
            version=version, change=_stage_change(key, form)
        )
    except (editing.EditRefused, authoring.AuthoringRefused) as refused:
        if typed == key or isinstance(refused, authoring.AuthoringRefused):
            return _refused(request, case, refused)
        error = str(refused)
        done = _edit(request, slug, _stage_change(key, {**form.dict(), "key": key}))
        if isinstance(done, HttpResponse):
            return done
        case, saved, new_key = done
    overrides = None
    if error:
        data, _ = _data(saved.version)
        part = editor.stage_part(data, new_key, saved.report.problems)
        overrides = {new_key: replace(part, error=error, typed_key=typed)}
    return _part_response(request, case, saved, "stage", f"stage-{new_key}", overrides=overrides)


@require_POST
@login_required
def stage_add(request: HttpRequest, slug: str) -> HttpResponse:
    key, title = request.POST.get("key", ""), request.POST.get("title", "")
    done = _edit(request, slug, lambda data: editing.add_stage(data, key, title))
    if isinstance(done, HttpResponse):
        return done
    case, _, _ = done
    return redirect(_editor_url(case.slug, f"stage-{key.strip()}", key.strip()))


@require_POST
@login_required
def stage_delete(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    done = _edit(request, slug, lambda data: editing.delete_stage(data, key))
    if isinstance(done, HttpResponse):
        return done
    case, _, _ = done
    messages.success(request, f"Stage '{key}' deleted.")
    return redirect(reverse("cases:edit", args=[case.slug]) + "#stages")


@require_POST
@login_required
def option_add(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    done = _edit(request, slug, lambda data: editing.add_option(data, key))
    if isinstance(done, HttpResponse):
        return done
    case, _, index = done
    return redirect(_editor_url(case.slug, f"option-{key}-{index}", key))


@require_POST
@login_required
def option_save(request: HtmxHttpRequest, slug: str, key: str, index: int) -> HttpResponse:
    """Save one option. htmx gets the option fragment."""
    lists = {name: request.POST.getlist(name) for name in ("actions", "citations")}
    done = _edit(
        request, slug, lambda data: editing.set_option(data, key, index, request.POST, lists)
    )
    if isinstance(done, HttpResponse):
        return done
    case, saved, _ = done
    return _part_response(request, case, saved, "option", f"option-{key}-{index}")


@require_POST
@login_required
def option_delete(request: HttpRequest, slug: str, key: str, index: int) -> HttpResponse:
    done = _edit(request, slug, lambda data: editing.delete_option(data, key, index))
    if isinstance(done, HttpResponse):
        return done
    case, _, _ = done
    messages.success(request, f"Option {index + 1} of stage '{key}' deleted.")
    return redirect(_editor_url(case.slug, f"stage-{key}", key))


@require_POST
@login_required
def yaml_save(request: HttpRequest, slug: str) -> HttpResponse:
    """Save the whole draft as YAML, exactly as typed, valid or not. YAML no draft
    may hold is not saved: the editor shows it back as typed, saying why."""
    case, version = _working(request, slug)
    text = request.POST.get("yaml", "").replace("\r\n", "\n")
    try:
        authoring.case_version_save(version=version, text=text)
    except authoring.Unstorable as refused:
        context = {**_editor_context(case, version), "yaml_text": text, "yaml_error": refused}
        return render(request, "cases/editor.html", context, status=400)
    except authoring.AuthoringRefused as refused:
        return _refused(request, case, refused)
    # The whole page depends on the YAML: the form posts without htmx and the page reloads.
    return redirect(reverse("cases:edit", args=[case.slug]) + "#case-yaml")


@require_POST
@login_required
def markdown_preview_hx(request: HttpRequest) -> HttpResponse:
    """Fragment: the posted Markdown as learners will see it (sanitized)."""
    _programs(request)
    field = next((f for f in ("narrative", "feedback", "report", "text") if f in request.POST), "")
    text = request.POST.get(field, "")[:20000]
    html = render_markdown(text) if text.strip() else ""
    if not html:
        return HttpResponse(format_html('<p class="muted">{}</p>', "Nothing to preview yet."))
    return HttpResponse(html)


# --- moving a version through review -------------------------------------------------


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
    case, version = _working(request, slug)
    try:
        saved = authoring.case_version_submit(version=version, user=request.user)
    except authoring.AuthoringRefused as refused:
        messages.error(request, str(refused))
        return redirect("cases:edit", slug=case.slug)
    if not saved.ok:
        messages.error(
            request, f"Not submitted: {saved.report.summary()} Fix them, then submit again."
        )
        return redirect(reverse("cases:edit", args=[case.slug]) + "#problems")
    messages.success(request, f"Version {version.number} submitted for review.")
    return redirect("cases:edit", slug=case.slug)


def _review_action(request: HttpRequest, slug: str, act: Callable) -> HttpResponse:
    case, version = _working(request, slug)
    try:
        result = act(version)
    except authoring.AuthoringRefused as refused:
        messages.error(request, str(refused))
        return redirect("cases:review", slug=case.slug)
    if isinstance(result, authoring.Saved) and not result.ok:
        messages.error(request, f"Not approved: {result.report.summary()}")
    return redirect("cases:review", slug=case.slug)


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
    return redirect(_editor_url(slug, anchor, comment.stage))


@require_GET
@login_required
def case_review(request: HttpRequest, slug: str) -> HttpResponse:
    """The newest version as a reviewer reads it: every stage, what changed, the comments."""
    case, version = _working(request, slug)
    data, too_big = _showable(version)
    comments = authoring.open_comments(version)
    by_stage: dict[str, list] = {}
    for comment in comments:
        by_stage.setdefault(comment.stage, []).append(comment)
    previous = case.published if case.published_id and case.published_id != version.pk else None
    changes = (
        document_diff(
            previous.document,
            version.document,
            old_label=f"version {previous.number}",
            new_label=f"version {version.number}",
        )
        if previous
        else None
    )
    algorithm = version.algorithm_version.parsed
    stages = [editor.stage_part(data, key) for key in editor.stages_of(data)]  # read-only display
    action_labels = {key: a.label for key, a in algorithm.actions.items()}
    return render(
        request,
        "cases/review.html",
        {
            "case": case,
            "version": version,
            "tab": "review",
            "details": editor.details(data),
            "stages": stages,
            "comments": by_stage,
            "case_comments": by_stage.get("", []),
            "changes": changes,
            "previous": previous,
            "action_labels": action_labels,
            "references": latest_references(),
            "too_big": too_big,
            "can_review": version.status in models.IN_REVIEW
            and version.author_id != request.user.pk,
        },
    )


# --- pictures, paths, preview, history ------------------------------------------------


@require_GET
@login_required
def case_graph(request: HttpRequest, slug: str) -> HttpResponse:
    """The stage graph: unreachable stages and dead ends marked, each stage a link."""
    case, version = _working(request, slug)
    data, too_big = _showable(version)
    context = {"case": case, "version": version, "tab": "graph", "too_big": too_big}
    return render(request, "cases/graph.html", {**context, "diagram": diagram(data)})


def _valid_case(version: models.CaseVersion):
    report = authoring.check_version(version)
    if not report.ok:
        return None, report
    (source,) = report.sources
    return source.document, report


@require_GET
@login_required
def case_paths(request: HttpRequest, slug: str) -> HttpResponse:
    """Every path through the newest version, scored."""
    case, version = _working(request, slug)
    document, report = _valid_case(version)
    exploration = None
    if document is not None:
        exploration = explore(document, version.algorithm_version.parsed)
    return render(
        request,
        "cases/paths.html",
        {
            "case": case,
            "version": version,
            "tab": "paths",
            "exploration": exploration,
            "report": report,
        },
    )


def _parse_preview_choice(decision, params) -> list[str] | None:
    """The choice a preview form sent, or None when it sent none."""
    if "option" in params:
        return params.getlist("option")
    typed = [(params.get(f"rank-{o.key}", ""), o.key) for o in decision.options]
    if not any(rank for rank, _ in typed):
        return None
    ranks = [(parse_whole(rank), key) for rank, key in typed]
    if any(rank is None for rank, _ in ranks):
        raise engine.InvalidChoice("Give every option a position.")
    if sorted(rank for rank, _ in ranks) != list(range(1, len(ranks) + 1)):
        raise engine.InvalidChoice(
            f"Give each option a different position, from 1 to {len(ranks)}."
        )
    return [key for _, key in sorted(ranks)]


@require_GET
@login_required
def case_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """Play the newest version as a resident would; nothing is recorded.

    Stateless: the choices so far travel in the URL (``c=xray&c=ptb+crp``), and
    each page replays them through the engine.
    """
    case, version = _working(request, slug)
    document, report = _valid_case(version)
    if document is None:
        return render(
            request,
            "cases/preview.html",
            {"case": case, "version": version, "tab": "preview", "report": report},
        )
    try:
        mode = Mode(request.GET.get("mode", Mode.PRACTICE))
    except ValueError:
        mode = Mode.PRACTICE
    raw = [c.split() for c in request.GET.getlist("c")][:500]
    version.__dict__["parsed"] = document
    # An unsaved attempt and choices: the player's own presenters, no rows written.
    attempt = Attempt(case_version=version, mode=mode)
    choices: list[Choice] = []
    state = engine.start(document)
    error = ""
    try:
        for options in raw:
            stage = state.stage
            state = engine.advance(document, state, options)
            choices.append(Choice(seq=len(choices), stage=stage, options=options))
    except (engine.InvalidChoice, engine.BrokenCase):
        return redirect(_preview_url(case, mode, [c.options for c in choices]))
    decision = document.stages[state.stage].decision
    if decision is not None and not state.finished:
        try:
            picked = _parse_preview_choice(decision, request.GET)
            if picked is not None:
                engine.advance(document, state, picked)
                return redirect(_preview_url(case, mode, [*raw, picked]))
        except engine.InvalidChoice as invalid:
            error = str(invalid)
    play = Play(attempt=attempt, choices=choices)
    citations = CitationIndex(version.citable)
    feedback = None
    last = len(choices) - 1
    if mode == Mode.PRACTICE and last >= 0:
        feedback = decision_review(play, last, play.verdicts(last), citations)
    debrief = None
    if state.finished:
        result = engine.score_state(document, play.algorithm, state)
        debrief = {
            "result": result,
            "reviews": [
                decision_review(play, i, play.verdicts(i), citations) for i in range(len(choices))
            ],
        }
    return render(
        request,
        "cases/preview.html",
        {
            "case": case,
            "version": version,
            "tab": "preview",
            "mode": mode,
            "modes": Mode.choices,
            "document": document,
            "stage": play.stage,
            "state": state,
            "groups": finding_groups(play),
            "progress": progress(play),
            "feedback": feedback,
            "debrief": debrief,
            "error": error,
            "form_options": form_options(play.stage.decision, request.GET if error else None),
            "positions": range(1, len(decision.options) + 1) if decision else (),
            "references": citations,
            "so_far": [" ".join(c.options) for c in choices],
            "back_url": _preview_url(case, mode, [c.options for c in choices[:-1]])
            if choices
            else "",
            "restart_url": _preview_url(case, mode, []),
        },
        status=400 if error else 200,
    )


def _preview_url(case: models.Case, mode: str, choices: list[list[str]]) -> str:
    query = urlencode([("mode", mode), *(("c", " ".join(c)) for c in choices)])
    return reverse("cases:preview", args=[case.slug]) + "?" + query


@require_GET
@login_required
def case_versions(request: HttpRequest, slug: str) -> HttpResponse:
    """Every version, and a readable difference between any two (?a=1&b=2)."""
    case = access.get_case_for_author(request.user, slug)
    versions = list(
        case.versions.select_related("author", "reviewer").defer(*HEAVY).order_by("-number")
    )
    by_number = {v.number: v for v in versions}
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    if not (a or b) and len(versions) > 1:
        a, b = str(versions[1].number), str(versions[0].number)
    pair = [by_number.get(parse_whole(n)) for n in (a, b)] if a or b else []
    refused = "Choose two versions of this case to compare." if None in pair else ""
    diff = None
    if pair and not refused:
        old, new = pair
        diff = document_diff(
            old.document,
            new.document,
            old_label=f"version {old.number}",
            new_label=f"version {new.number}",
        )
    return render(
        request,
        "cases/versions.html",
        {
            "case": case,
            "version": versions[0] if versions else None,
            "versions": versions,
            "tab": "versions",
            "diff": diff,
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
    """Download a version as YAML (the newest unless ?version=N)."""
    case = access.get_case_for_author(request.user, slug)
    number = request.GET.get("version")
    version = access.get_version_for_author(request.user, slug, number) if number else _newest(case)
    response = HttpResponse(
        authoring.export_text(version), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{case.slug}-v{version.number}.yaml"'
    return response
