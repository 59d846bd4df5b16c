"""Authored Markdown is rendered without anything that could run."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from cases.markdown import render
from tests.security.xss import VECTORS

SAFE_TAGS = {"p", "strong", "em", "code", "pre", "a", "br", "ul", "ol", "li", "blockquote"}


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


def test_there_are_at_least_fifty_vectors() -> None:
    assert len(VECTORS) >= 50


@pytest.mark.parametrize("vector", VECTORS)
def test_a_vector_renders_inert(vector: str) -> None:
    html = render(f"Some **narrative** then {vector}")
    for tag, attrs in elements(html):
        assert tag in SAFE_TAGS, html
        assert set(attrs) <= {"href", "title", "rel"}, html
        href = (attrs.get("href") or "").strip().lower()
        assert not href or href.startswith(("http://", "https://", "mailto:", "#")), html
    assert "<strong>narrative</strong>" in html


def test_plain_markdown_still_renders() -> None:
    html = render(
        "- one\n- [PubMed](https://pubmed.ncbi.nlm.nih.gov/1/)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<li>one</li>" in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/1/"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<table>" in html
