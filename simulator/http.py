"""The request our views are given, typed once for every app."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that has passed django-htmx's middleware, so ``request.htmx``
    says whether htmx sent it (and which element asked)."""

    htmx: HtmxDetails
