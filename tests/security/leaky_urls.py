"""A URLconf with one deliberately broken view: it shows any attempt to any
signed-in user. The authorization matrix must catch it
(test_the_matrix_catches_a_view_that_lets_an_intruder_in)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from simulator.models import Attempt


@require_GET
@login_required
def leaky(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = Attempt.objects.get(pk=pk)  # no access funnel: the bug under test
    return HttpResponse(f"Attempt {attempt.pk} by {attempt.user}")


urlpatterns = [path("leaky/<int:pk>/", leaky, name="leaky")]
