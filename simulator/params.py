"""Whole numbers from request parameters, forms and launch claims.

``str.isdigit()`` accepts "²" and Arabic-Indic digits, and ``int()`` refuses
strings over 4,300 digits; an id or a position from a client is read here
instead, so malformed input is a clear refusal (400) and never a server error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import BadRequest

# ASCII digits only, and few enough to fit a 64-bit database column.
_WHOLE = re.compile(r"[0-9]{1,18}")


def parse_whole(raw: object) -> int | None:
    """The whole number ``raw`` spells in ASCII digits (at most 18), else None."""
    if not isinstance(raw, str) or not _WHOLE.fullmatch(raw):
        return None
    return int(raw)


def whole_param(params: Mapping[str, str], name: str) -> int | None:
    """The whole number in ``params[name]``; None when it is absent or empty.
    Anything else raises BadRequest, which the site shows as a 400 page."""
    raw = params.get(name, "")
    if raw == "":
        return None
    value = parse_whole(raw)
    if value is None:
        raise BadRequest(f"“{name}” must be a whole number, such as 12.")
    return value
