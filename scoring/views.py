from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases.services import versions_awaiting_review
from scoring.assignments import resident_assignments
from simulator.accounts.access import memberships_for
from simulator.accounts.models import Program, Role
from simulator.accounts.nav import ROLE_SUMMARIES, NavLink, nav_links


@dataclass(frozen=True)
class RoleCard:
    role: Role
    summary: str
    programs: list[Program]
    links: list[NavLink]


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What the signed-in user can do, one card per role they hold."""
    programs_by_role: dict[Role, list[Program]] = {}
    for membership in memberships_for(request.user):
        programs_by_role.setdefault(Role(membership.role), []).append(membership.program)
    cards = [
        RoleCard(role, ROLE_SUMMARIES[role], programs_by_role[role], nav_links([role]))
        for role in Role
        if role in programs_by_role
    ]
    assignments = resident_assignments(request.user) if Role.RESIDENT in programs_by_role else []
    authored = (
        versions_awaiting_review(request.user, programs_by_role[Role.INSTRUCTOR])
        if Role.INSTRUCTOR in programs_by_role
        else []
    )
    return render(
        request,
        "scoring/home.html",
        {"cards": cards, "assignments": assignments, "authored": authored},
    )


@require_GET
def scoring_help(request: HttpRequest) -> HttpResponse:
    """docs/scoring.md as a page: the formula has one written source."""
    text = (settings.BASE_DIR / "docs" / "scoring.md").read_text(encoding="utf-8")
    return render(request, "scoring/scoring_help.html", {"text": text})
