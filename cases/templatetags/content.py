"""Template filters for showing authored content."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from cases.markdown import render

register = template.Library()


@register.filter(name="markdown")
def markdown(text: str) -> SafeString:
    return mark_safe(render(text))  # noqa: S308 -- render() sanitizes with an allow-list
