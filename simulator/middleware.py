"""What every request passes through: a cap on its size, and the headers
every response carries."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from simulator.params import parse_whole

# No inline script and no eval anywhere, so an author's Markdown that slips past
# the sanitizer still cannot run script. htmx's own indicator style is turned off
# (see base.html) and lives in casepath.css, which keeps style-src at 'self' too.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Django's technical error pages (DEBUG only) are built from inline style and
        # script; blocking them would hide the very traceback a developer needs.
        if settings.DEBUG and response.status_code >= 400:
            return response
        # A view that needs a different policy sets the header itself.
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


# The page that attaches an image to a finding (cases.urls, "finding_image") takes
# more: MAX_IMAGE_REQUEST_BYTES. Every other URL keeps MAX_REQUEST_BYTES.
IMAGE_UPLOAD_PATH = re.compile(r"^/authoring/[-a-zA-Z0-9_]+/findings/[-a-zA-Z0-9_]+/[0-9]+/image/$")


class RequestSizeLimitMiddleware:
    """Refuse a body over MAX_REQUEST_BYTES before Django reads any of it.

    Django checks its own upload limits only while parsing, after a large
    multipart body has been spooled to disk, and before CSRF is checked, so
    an anonymous client could make every worker write hundreds of megabytes.
    A proxy in front should cap bodies too (README, "Deploying").
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("CONTENT_LENGTH") or "0"
        length = parse_whole(raw)
        cap = settings.MAX_REQUEST_BYTES
        if IMAGE_UPLOAD_PATH.match(request.path_info):
            cap = settings.MAX_IMAGE_REQUEST_BYTES
        if length is None or length > cap:
            limit = cap // (1024 * 1024)
            return HttpResponse(
                f"The request is too large: at most {limit} MB may be sent.\n",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
