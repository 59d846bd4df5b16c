"""Template filters for showing authored content."""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from cases.markdown import render

register = template.Library()


@register.filter(name="markdown")
def markdown(text: str) -> SafeString:
    return mark_safe(render(text))  # noqa: S308 -- render() sanitizes with an allow-list


@register.simple_tag
def cite(cited) -> SafeString:
    """Numbered citation marks, each linking to its entry in the page's reference list.

    A tag rather than an included template: a debrief shows dozens of them,
    and an include per mark is most of the cost of rendering one.
    """
    return format_html_join(
        "",
        '<sup class="cite">[<a href="#ref-{}" aria-label="Reference {}: {}">{}</a>]</sup>',
        ((c.number, c.number, c.reference.title, c.number) for c in cited),
    )
