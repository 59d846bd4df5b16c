"""The learner's pages: the catalogue, a case, the player, the debrief and the
history; the author's preview, which is the player playing a draft; and the
project's own (the health probe, the 400 page)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from cases import schema
from cases.access import get_newest_version_for_author
from cases.authoring import valid_document
from scoring.access import (
    get_attempt_score_for_staff,
    get_open_assignment_for_resident,
    open_assignment_of_case,
)
from scoring.models import Mode
from simulator import engine
from simulator.access import get_attempt_for_user, get_playable_case
from simulator.catalogue import case_progress, catalogue_for
from simulator.debrief import debrief_context
from simulator.history import history_for
from simulator.http import HtmxHttpRequest
from simulator.models import Attempt
from simulator.params import parse_whole
from simulator.presenters import stage_context
from simulator.preview import Preview, preview_frame, preview_play, preview_url
from simulator.services import attempt_choose, attempt_play, attempt_start

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 "ok" when the database answers, 503 otherwise, for load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


# --- catalogue and player --------------------------------------------------------


@require_GET
@login_required
@vary_on_headers("HX-Request")
def catalogue(request: HtmxHttpRequest) -> HttpResponse:
    """Published cases the user may play. A filter change from htmx gets the results fragment."""
    found = catalogue_for(request.user, request.GET or None)
    progress = case_progress(request.user)
    for case in found.cases:
        case.progress = progress.get(case.pk)
    template = "simulator/catalogue.html#results" if request.htmx else "simulator/catalogue.html"
    return render(request, template, {"catalogue": found})


@require_GET
@login_required
def case_detail(request: HttpRequest, slug: str) -> HttpResponse:
    case = get_playable_case(request.user, slug)
    attempts = list(
        Attempt.objects.filter(user=request.user, case_version__case=case)
        .select_related("case_version")
        .order_by("-started_at")[:10]
    )
    unfinished = next((a for a in attempts if not a.finished), None)
    assignment = open_assignment_of_case(request.user, case.pk)
    return render(
        request,
        "simulator/case_detail.html",
        {
            "case": case,
            "version": case.published,
            "algorithm": case.published.algorithm_version,
            "attempts": attempts,
            "unfinished": unfinished,
            "modes": Mode.choices,
            "assignment": assignment,
            "overdue": assignment is not None and assignment.due_at < timezone.now(),
        },
    )


@require_POST
@login_required
def attempt_new(request: HttpRequest, slug: str) -> HttpResponse:
    case = get_playable_case(request.user, slug)
    mode = _mode(request.POST.get("mode", ""))
    if raw := request.POST.get("assignment", ""):
        assignment = get_open_assignment_for_resident(request.user, raw, case.pk)
    else:
        # Started from Cases rather than Home: it counts for the assignment all the same.
        assignment = open_assignment_of_case(request.user, case.pk)
    attempt = attempt_start(user=request.user, case=case, mode=mode, assignment=assignment)
    return redirect("simulator:play", pk=attempt.pk)


def _mode(value: str) -> Mode:
    """The mode a form asked for; practice when it asked for none we know."""
    try:
        return Mode(value)
    except ValueError:
        return Mode.PRACTICE


def _sent_choice(params: QueryDict) -> tuple[list[str], dict[str, int | None]]:
    """What a decision form sent: the options ticked, and the position given
    each option of a put-in-order form (None where it is not a whole number)."""
    positions = {
        key.removeprefix("rank-"): parse_whole(value)
        for key, value in params.items()
        if key.startswith("rank-")
    }
    return params.getlist("option"), positions


@require_GET
@login_required
def play(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_attempt_for_user(request.user, pk)
    return render(request, "simulator/play.html", stage_context(attempt_play(attempt)))


STALE = "That decision was already recorded; this is where the case stands."


@require_POST
@login_required
def choose(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Record one decision. htmx gets the next stage as a fragment; a plain
    post is redirected to the attempt page, so reload never posts twice."""
    attempt = get_attempt_for_user(request.user, pk)
    options, positions = _sent_choice(request.POST)
    chosen = attempt_choose(
        attempt=attempt,
        seq=parse_whole(request.POST.get("seq", "")),
        options=options,
        positions=positions,
    )
    current, error = chosen.play, chosen.refused
    notice = "" if chosen.recorded or error else STALE
    if request.htmx:
        context = stage_context(current, error=error, notice=notice, entered=request.POST)
        return render(request, "simulator/play.html#stage", context)
    if error:
        context = stage_context(current, error=error, entered=request.POST)
        return render(request, "simulator/play.html", context, status=400)
    if notice:
        messages.info(request, notice)
    return redirect("simulator:play", pk=attempt.pk)


def _choice_sent(decision: schema.Decision, params: QueryDict) -> bool:
    """Whether a preview's page was sent a decision's form, or is only showing the stage."""
    return "option" in params or any(params.get(f"rank-{o.key}") for o in decision.options)


@require_GET
@login_required
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The newest version of a case the user authors, played as a resident plays it;
    nothing is recorded.

    The decision's form is sent to this page with the choices so far; a choice
    the engine accepts is added to the URL and the page redirects there, so a
    reload never chooses twice. A URL whose choices cannot all be made is cut
    back to those that can.
    """
    version = get_newest_version_for_author(request.user, slug)
    frame = {"case": version.case, "version": version, "tab": "preview"}
    document, report = valid_document(version)
    if document is None:  # nothing to play yet: the page says why
        return render(
            request, "simulator/play.html", {**frame, "preview": Preview(), "report": report}
        )
    mode = _mode(request.GET.get("mode", ""))
    replayed = preview_play(version, document, mode, request.GET.getlist("c"))
    current = replayed.play
    made = [c.options for c in current.choices]
    if not replayed.whole:
        return redirect(preview_url(slug, mode, made))
    error = ""
    decision = current.stage.decision
    if decision is not None and not current.state.finished and _choice_sent(decision, request.GET):
        options, positions = _sent_choice(request.GET)
        try:
            picked = engine.read_choice(decision, options, positions)
            engine.advance(document, current.state, picked)
        except engine.InvalidChoice as invalid:
            error = str(invalid)
        else:
            return redirect(preview_url(slug, mode, [*made, picked]))
    context = stage_context(current, error=error, entered=request.GET, cacheable=False)
    context["preview"] = preview_frame(slug, current, context["references"])
    context["for_authors"] = True  # the evidence notes under each reference
    return render(
        request, "simulator/play.html", {**frame, **context}, status=400 if error else 200
    )


@require_GET
@login_required
def debrief(request: HttpRequest, pk: int) -> HttpResponse:
    """A finished attempt explained: score, critical errors, each decision, sources."""
    attempt = get_attempt_for_user(request.user, pk)
    if not attempt.finished:
        return redirect("simulator:play", pk=attempt.pk)
    return render(request, "simulator/debrief.html", debrief_context(attempt_play(attempt)))


@require_GET
@login_required
def attempt_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A resident's finished attempt as their program's director or instructor
    reads it: the debrief, read-only, from the dashboard, the mastery grid, the
    assignment or a CSV row."""
    score = get_attempt_score_for_staff(request.user, pk)
    # Loaded as its resident's own attempt is, once the program's right to it is settled.
    attempt = get_attempt_for_user(score.attempt.user, score.attempt_id)
    context = debrief_context(attempt_play(attempt), score)
    return render(request, "simulator/debrief.html", context | {"reviewing": True})


@require_GET
@login_required
def history(request: HttpRequest) -> HttpResponse:
    """The user's attempts and scores over time, and the steps they miss most."""
    found = history_for(request.user, page=request.GET.get("page"))
    return render(request, "simulator/history.html", {"h": found})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page. Our own BadRequest says what was wrong with the input;
    anything else Django refuses (a forged Host, say) gets no detail."""
    detail = str(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"detail": detail}, status=400)
