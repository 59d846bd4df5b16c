"""The images of findings, served to those who may see the case version showing them.

A stored image's name is made of its content (``cases.images``), so the
file behind a URL never changes: the browser keeps it for a year without
asking again. It is kept privately (``private``), since who may see it is
decided per user: ``simulator.access.get_finding_image_for_user``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from cases import images
from simulator.access import get_finding_image_for_user

CACHE_CONTROL = "private, max-age=31536000, immutable"


@require_GET
@login_required
def finding_image(request: HttpRequest, version: int, file: str) -> FileResponse:
    """The image ``file`` of a finding of case version ``version``; 404 for anyone
    who may not open that version, or when no finding of it shows the file."""
    file = get_finding_image_for_user(request.user, version, file)
    try:
        handle = images.image_open(file)
    except (FileNotFoundError, OSError):
        raise Http404("No such image.") from None
    response = FileResponse(handle, content_type=images.content_type(file))
    response["Cache-Control"] = CACHE_CONTROL
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
