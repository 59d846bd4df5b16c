"""The base layout: security headers, no inline script, the footer notice."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_every_page_forbids_inline_script_and_framing(client: Client) -> None:
    csp = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp


def test_error_pages_carry_the_policy_too(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Content-Security-Policy" in response


def test_pages_have_no_inline_script_or_style(client: Client, resident: Any) -> None:
    client.force_login(resident)
    html = client.get("/").content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "htmx should be loaded"
    assert all("src=" in tag for tag in scripts)
    assert "<style" not in html
    assert " style=" not in html


def test_htmx_is_served_by_the_app_not_a_cdn(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert '<script src="/static/django_htmx/htmx-2.min.js"' in html
    assert "https://" not in html
    # htmx's inline indicator style would break style-src 'self'.
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>""" in html


def test_the_csrf_token_is_set_once_for_htmx(client: Client, resident: Any) -> None:
    client.force_login(resident)
    html = client.get("/").content.decode()
    assert re.search(r"""<body hx-headers='\{"X-CSRFToken": "[A-Za-z0-9]+"\}'>""", html)


def test_the_footer_says_educational_use_only(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert "Educational use only — not a substitute for clinical judgement." in html


def test_the_layout_has_landmarks_and_a_skip_link(client: Client, resident: Any) -> None:
    client.force_login(resident)
    html = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert '<main id="main"' in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    assert "<header" in html
    assert "<footer" in html
    assert '<html lang="en-GB">' in html


def test_a_missing_page_is_a_friendly_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Traceback" not in response.content
