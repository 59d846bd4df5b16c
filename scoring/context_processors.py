from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from scoring.access import roles_for
from scoring.nav import nav_links


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The links base.html shows in its navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    return {"nav_links": nav_links(roles_for(user))}
