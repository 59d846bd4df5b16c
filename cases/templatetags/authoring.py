"""Template filters for the authoring screens."""

from __future__ import annotations

from collections.abc import Mapping

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Mapping | None, key: str) -> object:
    """``mapping[key]``, or an empty list, for lookups by a key held in a variable."""
    return (mapping or {}).get(key, [])
