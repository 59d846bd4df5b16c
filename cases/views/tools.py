"""What an author checks a case with: the picture of its stages, and every path scored."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases import access, authoring, services
from cases.graph import diagram, where_options_lead
from cases.paths import explore


@require_GET
@login_required
def case_graph(request: HttpRequest, slug: str) -> HttpResponse:
    """The stage graph: unreachable stages and dead ends marked, each stage a link."""
    version = access.get_newest_version_for_author(request.user, slug)
    data, too_big = authoring.showable_data(version)
    context = {"case": version.case, "version": version, "tab": "graph", "too_big": too_big}
    return render(
        request,
        "cases/graph.html",
        {**context, "diagram": diagram(data), "routes": where_options_lead(data)},
    )


@require_GET
@login_required
def case_paths(request: HttpRequest, slug: str) -> HttpResponse:
    """Every path through the newest version, scored."""
    version = access.get_newest_version_for_author(request.user, slug)
    document, report = authoring.valid_document(version)
    exploration = coverage = None
    if document is not None:
        exploration = explore(document, version.algorithm_version.parsed)
        coverage = services.algorithm_coverage(version)
    return render(
        request,
        "cases/paths.html",
        {
            "case": version.case,
            "version": version,
            "tab": "paths",
            "exploration": exploration,
            "coverage": coverage,
            "report": report,
        },
    )
