from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from simulator.accounts.access import roles_for
from simulator.accounts.nav import nav_links


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The links base.html shows in its navigation bar.

    Lazy: the roles query runs only when a template shows the bar, so an htmx
    fragment (every choice a resident makes) does not pay for it.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    return {"nav_links": SimpleLazyObject(lambda: nav_links(roles_for(user)))}
