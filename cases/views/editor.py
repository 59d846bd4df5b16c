"""The editor of a case's newest version: the forms of a draft, its YAML, and
the Markdown preview beside every Markdown field.

Editor forms post with htmx and get their part of the page back, with the
problem list swapped in beside it; without JavaScript the same forms post and
redirect back to the part. "Add an option" and "Add a stage" work the same
way: htmx gets the new part alone, to insert, so nothing typed elsewhere on
the page is reloaded away.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import retarget

from cases import access, authoring, editing, editor, explorer, models, soundness
from cases.markdown import render as render_markdown
from cases.services import latest_references
from cases.validate import Report
from simulator.http import HtmxHttpRequest
from simulator.params import parse_whole


def editor_url(slug: str, anchor: str, stage: str = "") -> str:
    """The editor at ``anchor``, with ``stage``'s form open."""
    query = f"?{urlencode({'stage': stage})}" if stage else ""
    return reverse("cases:edit", args=[slug]) + f"{query}#{anchor}"


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
    data, broken = (
        (checked.located.data, "") if checked.located else authoring.working_data(version)
    )
    oversized = "" if broken else editor.over_limits(data)
    algorithm = version.algorithm_version.parsed
    problems = report.problems
    keys = [] if broken or oversized else list(editor.stages_of(data))
    stages = [(overrides or {}).get(key) or editor.stage_part(data, key, problems) for key in keys]
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
        "menus": editor.menus(data, algorithm, references),
        "problems": editor.problem_views(problems),
        "notes": _notes(checked.document, algorithm) if report.ok else [],
        "report": report,
        "comments": authoring.comments_by_stage(version),
        "yaml_text": authoring.draft_text(version),
    }


def _notes(document, algorithm) -> list[str]:
    """What to look at before review, once the draft is valid (its proof is
    already remembered: validation proved the keys)."""
    proof = explorer.prove(algorithm, document)
    return [u.message for u in soundness.unrevealed_facts(algorithm, document, proof)] + [
        f"{e.title}: {e.message}"
        for e in soundness.contradicted_endings(algorithm, document, proof)
    ]


@require_GET
@login_required
def case_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The editor for the newest version: forms for a draft, a summary otherwise.
    A large case opens the form of one stage, ``?stage=KEY``."""
    version = access.get_newest_version_for_author(request.user, slug)
    context = _editor_context(version.case, version, open_stage=request.GET.get("stage", ""))
    return render(request, "cases/editor.html", context)


def _part_response(
    request: HtmxHttpRequest,
    case: models.Case,
    saved: authoring.Saved,
    part: str,
    anchor: str,
    overrides: dict[str, editor.StagePart] | None = None,
    *,
    added: bool = False,
    partial: str = "",
) -> HttpResponse:
    """htmx gets the part and, out of band, the problem list; a plain post a redirect
    (or, when part of the form was refused, the whole editor showing why).

    A part just ``added`` is not "Saved." (nothing was typed in it yet): htmx is
    told to move focus into it, and the page's menus of stages to list a new one.
    ``partial`` draws less than the whole part (a stage's own form, not its options).
    """
    key, index = "", ""  # the stage of a stage or option part, and the option's index
    if part in ("stage", "option"):
        key = anchor.removeprefix(f"{part}-")
        if part == "option":
            key, _, index = key.rpartition("-")
    if not request.htmx and not overrides:
        return redirect(editor_url(case.slug, anchor, key))
    context = _editor_context(
        case, saved.version, saved.report, overrides=overrides, open_stage=key
    )
    if not request.htmx:
        return render(request, "cases/editor.html", context, status=400)
    part_context = {**context, "just_saved": "" if added else anchor}
    if key:
        stage = next((s for s in context["stages"] if s.key == key), None)
        if stage is None:
            raise Http404("No such stage.")
        part_context["stage"] = stage
        if part == "option":
            part_context["option"] = stage.options[int(index)]
    html = render_to_string(f"cases/editor.html#{partial or part}", part_context, request)
    if added and part == "stage":  # "Add a stage" comes back empty, for the next one
        html += render_to_string("cases/editor.html#stage-new", {**context, "oob": True}, request)
    html += render_to_string("cases/editor.html#problems", {**context, "oob": True}, request)
    response = HttpResponse(html)
    if added and part == "stage":
        stage = part_context["stage"]
        _after_settle(response, focus=anchor, stage=stage.key, start=stage.is_start)
    elif added:
        _after_settle(response, focus=anchor)
    return response


def _after_settle(
    response: HttpResponse, *, focus: str, stage: str = "", start: bool = False
) -> None:
    """Ask the page (static/js/authoring.js), once htmx has swapped, to put focus in
    the form ``focus`` and to add a new ``stage`` (the ``start``, maybe) to its
    menus of stages."""
    detail: dict[str, object] = {"focus": focus}
    if stage:
        detail |= {"stage": stage, "start": start}
    response["HX-Trigger-After-Settle"] = json.dumps({"casepath:added": detail})


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
    version = access.get_newest_version_for_author(request.user, slug)
    try:
        saved, result = authoring.case_version_edit(version=version, change=change)
    except (editing.EditRefused, authoring.AuthoringRefused) as refused:
        return _refused(request, version.case, refused)
    return version.case, saved, result


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
    version = access.get_newest_version_for_author(request.user, slug)
    case = version.case
    had_decision = _has_decision(version.document, key)
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
        data, _ = authoring.working_data(saved.version)
        part = editor.stage_part(data, new_key, saved.report.problems)
        overrides = {new_key: replace(part, error=error, typed_key=typed)}
    # The stage's own form alone, so unsaved typing in its options is kept; the
    # whole stage when its options' addresses (its key) or their presence changed.
    whole = new_key != key or had_decision != _has_decision(saved.version.document, new_key)
    response = _part_response(
        request,
        case,
        saved,
        "stage",
        f"stage-{new_key}",
        overrides=overrides,
        partial="" if whole else "stage-main",
    )
    if request.htmx and whole:
        retarget(response, f"#stage-{key}")
    return response


def _has_decision(document: object, key: str) -> bool:
    stages = document.get("stages") if isinstance(document, dict) else None
    return isinstance(stages, dict) and "decision" in (stages.get(key) or {})


@require_POST
@login_required
def stage_add(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Add a stage. htmx gets the new stage's form, to insert before "Add a stage";
    a key that cannot be used comes back in that form, as typed, saying why."""
    key, title = request.POST.get("key", "").strip(), request.POST.get("title", "")
    version = access.get_newest_version_for_author(request.user, slug)
    try:
        saved, _ = authoring.case_version_edit(
            version=version, change=lambda data: editing.add_stage(data, key, title)
        )
    except editing.EditRefused as refused:
        if not request.htmx:
            return _refused(request, version.case, refused)
        typed = {"key": key, "title": title, "error": str(refused)}
        context = {"case": version.case, "new_stage": typed}
        response = render(request, "cases/editor.html#stage-new", context)
        response["HX-Retarget"] = "#stage-new-form"
        response["HX-Reswap"] = "outerHTML"
        _after_settle(response, focus="new-stage-key")
        return response
    except authoring.AuthoringRefused as refused:
        return _refused(request, version.case, refused)
    return _part_response(request, version.case, saved, "stage", f"stage-{key}", added=True)


@require_POST
@login_required
def stage_delete(request: HtmxHttpRequest, slug: str, key: str) -> HttpResponse:
    done = _edit(request, slug, lambda data: editing.delete_stage(data, key))
    if isinstance(done, HttpResponse):
        return done
    messages.success(request, f"Stage '{key}' deleted.")
    return redirect(reverse("cases:edit", args=[slug]) + "#stages")


@require_POST
@login_required
def option_add(request: HtmxHttpRequest, slug: str, key: str) -> HttpResponse:
    """Add an option to a stage's decision. htmx gets the new option's form, to put
    after the stage's other options."""
    done = _edit(request, slug, lambda data: editing.add_option(data, key))
    if isinstance(done, HttpResponse):
        return done
    case, saved, index = done
    return _part_response(request, case, saved, "option", f"option-{key}-{index}", added=True)


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
def option_delete(request: HtmxHttpRequest, slug: str, key: str, index: int) -> HttpResponse:
    done = _edit(request, slug, lambda data: editing.delete_option(data, key, index))
    if isinstance(done, HttpResponse):
        return done
    messages.success(request, f"Option {index + 1} of stage '{key}' deleted.")
    return redirect(editor_url(slug, f"stage-{key}", key))


STALE_YAML = (
    "Not saved: the case changed after this YAML was shown (a form on this page or "
    "another tab saved it). Your text is below; copy what you changed, reload the "
    "page for the latest YAML, and apply it there."
)


@require_POST
@login_required
def yaml_save(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Save the whole draft as YAML, exactly as typed, valid or not. YAML no draft
    may hold is not saved: the editor shows it back as typed, saying why."""
    version = access.get_newest_version_for_author(request.user, slug)
    text = request.POST.get("yaml", "").replace("\r\n", "\n")
    # The form says which draft its YAML was shown from: saving it over a draft
    # changed since (a form above, another tab) would undo those changes.
    shown = request.POST.get("based_on")
    if shown is not None and shown != version.content_hash:
        context = {
            **_editor_context(version.case, version),
            "yaml_text": text,
            "yaml_error": STALE_YAML,
        }
        return render(request, "cases/editor.html", context, status=409)
    try:
        authoring.case_version_save(version=version, text=text)
    except authoring.Unstorable as refused:
        context = {
            **_editor_context(version.case, version),
            "yaml_text": text,
            "yaml_error": refused,
        }
        return render(request, "cases/editor.html", context, status=400)
    except authoring.AuthoringRefused as refused:
        return _refused(request, version.case, refused)
    # The whole page depends on the YAML: the form posts without htmx and the page reloads.
    return redirect(reverse("cases:edit", args=[slug]) + "#case-yaml")


@require_POST
@login_required
def markdown_preview_hx(request: HttpRequest) -> HttpResponse:
    """Fragment: the posted Markdown as learners will see it (sanitized)."""
    access.get_programs_for_author(request.user)
    field = next((f for f in ("narrative", "feedback", "report", "text") if f in request.POST), "")
    text = request.POST.get(field, "")[:20000]
    html = render_markdown(text) if text.strip() else ""
    if not html:
        return HttpResponse(format_html('<p class="muted">{}</p>', "Nothing to preview yet."))
    return HttpResponse(html)
