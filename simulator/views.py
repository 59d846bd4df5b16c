"""Project-level views that belong to no single part of the app."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from cases import schema
from cases.citations import CitationIndex
from scoring.access import get_open_assignment_for_resident
from simulator.access import get_attempt_for_user, get_playable_case
from simulator.catalogue import catalogue_for
from simulator.engine import InvalidChoice
from simulator.models import Attempt, Mode
from simulator.params import parse_whole
from simulator.presenters import decision_review, finding_groups, form_options, progress
from simulator.services import Play, attempt_choose, attempt_play, attempt_start

logger = logging.getLogger(__name__)


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


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
    in_progress = set(
        Attempt.objects.filter(user=request.user, finished_at__isnull=True).values_list(
            "case_version__case_id", flat=True
        )
    )
    template = "simulator/catalogue.html#results" if request.htmx else "simulator/catalogue.html"
    return render(request, template, {"catalogue": found, "in_progress": in_progress})


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
        },
    )


@require_POST
@login_required
def attempt_new(request: HttpRequest, slug: str) -> HttpResponse:
    case = get_playable_case(request.user, slug)
    try:
        mode = Mode(request.POST.get("mode", Mode.PRACTICE))
    except ValueError:
        mode = Mode.PRACTICE
    assignment = None
    if raw := request.POST.get("assignment", ""):
        assignment = get_open_assignment_for_resident(request.user, raw, case.pk)
    attempt = attempt_start(user=request.user, case=case, mode=mode, assignment=assignment)
    return redirect("simulator:play", pk=attempt.pk)


def _parse_choice(decision: schema.Decision, post) -> list[str]:
    """The option keys a decision form posted, in the learner's order.

    Raises InvalidChoice for a put-in-order form whose positions are not
    whole numbers; the engine judges everything else about the choice.
    """
    if decision.type is schema.DecisionType.one:
        return post.getlist("option")[:2]
    if decision.type is schema.DecisionType.several:
        return post.getlist("option")
    ranked = []
    for option in decision.options:
        rank = parse_whole(post.get(f"rank-{option.key}", ""))
        if rank is None:
            raise InvalidChoice("Give every option a position.")
        ranked.append((rank, option.key))
    positions = [rank for rank, _ in ranked]
    if sorted(positions) != list(range(1, len(ranked) + 1)):
        raise InvalidChoice(f"Give each option a different position, from 1 to {len(ranked)}.")
    return [key for _, key in sorted(ranked)]


def _stage_context(
    play: Play, *, error: str = "", notice: str = "", post: QueryDict | None = None
) -> dict:
    citations = CitationIndex(play.attempt.case_version.citable)
    feedback = None
    last = len(play.choices) - 1
    if play.attempt.mode == Mode.PRACTICE and last >= 0:
        feedback = decision_review(play, last, play.verdicts(last), citations)
    return {
        "play": play,
        "attempt": play.attempt,
        "case": play.case,
        "stage": play.stage,
        "state": play.state,
        "groups": finding_groups(play),
        "progress": progress(play),
        "feedback": feedback,
        "error": error,
        "notice": notice,
        "form_options": form_options(play.stage.decision, post if error else None),
        "positions": range(1, len(play.stage.decision.options) + 1) if play.stage.decision else (),
        "references": citations,
    }


@require_GET
@login_required
def play(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_attempt_for_user(request.user, pk)
    return render(request, "simulator/play.html", _stage_context(attempt_play(attempt)))


@require_POST
@login_required
def choose(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Record one decision. htmx gets the next stage as a fragment; a plain
    post is redirected to the attempt page, so reload never posts twice."""
    attempt = get_attempt_for_user(request.user, pk)
    # A malformed post is treated as stale: it records nothing.
    seq = parse_whole(request.POST.get("seq", ""))
    current = attempt_play(attempt)
    error, notice = "", ""
    if seq == len(current.choices) and not current.state.finished:
        try:
            picked = _parse_choice(current.stage.decision, request.POST)
            chosen = attempt_choose(attempt=attempt, seq=seq, options=picked, seen=current)
        except InvalidChoice as invalid:
            error = str(invalid)
        else:
            current = chosen.play
    else:
        notice = "That decision was already recorded; this is where the case stands."
    if request.htmx:
        context = _stage_context(current, error=error, notice=notice, post=request.POST)
        return render(request, "simulator/play.html#stage", context)
    if error:
        context = _stage_context(current, error=error, post=request.POST)
        return render(request, "simulator/play.html", context, status=400)
    if notice:
        messages.info(request, notice)
    return redirect("simulator:play", pk=attempt.pk)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page. Our own BadRequest says what was wrong with the input;
    anything else Django refuses (a forged Host, say) gets no detail."""
    detail = str(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"detail": detail}, status=400)
