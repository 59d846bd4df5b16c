"""What the player adds to pages it does not own: Home's "continue where you
left off" (the tracking app renders Home but never imports the player)."""

from __future__ import annotations

from django import template

from simulator.models import Attempt

register = template.Library()


@register.inclusion_tag("simulator/_continue.html", takes_context=True)
def continue_where_left_off(context: template.Context) -> dict:
    """The user's most recently started unfinished attempt, if any: one query."""
    user = context["request"].user
    attempt = (
        Attempt.objects.filter(user=user, finished_at__isnull=True)
        .select_related("case_version__case")
        .only("pk", "mode", "started_at", "case_version__title", "case_version__case__slug")
        .order_by("-started_at")
        .first()
    )
    return {"attempt": attempt}
