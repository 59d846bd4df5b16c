"""Three baselines, each as small as a view of its kind can be.

They run through the same middleware as every page (sessions, CSRF, auth) but
touch none of it themselves: what a page costs beyond them is the app's own work.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from tests.bench.models import BenchRow


@require_GET
def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


@require_GET
def read(request: HttpRequest) -> HttpResponse:
    """A template that shows one row, read by primary key (no context processors:
    what the pages' navigation bar costs is theirs, not the baseline's)."""
    row = BenchRow.objects.filter(pk=1).first()
    return HttpResponse(render_to_string("bench/read.html", {"row": row}))


@require_POST
def insert(request: HttpRequest) -> HttpResponse:
    """One row inserted in its own transaction; the POST passes the CSRF check like a choice."""
    row = BenchRow.objects.create(note=request.POST.get("note", "")[:40])
    return HttpResponse(f"inserted {row.pk}", content_type="text/plain")
