"""The browser harness itself: it must catch what it promises to catch."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page

from tests.browser.conftest import AxeScanner


def test_the_axe_scan_flags_a_serious_violation(context: BrowserContext) -> None:
    # A page of its own, outside the `page` fixture, which would fail this test.
    page = context.new_page()
    page.set_content(
        '<html lang="en"><title>t</title><body><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>'
    )
    scanner = AxeScanner(page)
    scanner.scan()
    assert scanner.scanned
    assert any("image-alt (critical)" in report for report in scanner.reports), scanner.reports


def test_pages_are_served_with_the_content_security_policy(page: Page) -> None:
    response = page.goto("/accounts/login/")
    assert response is not None
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security" in msg.text else None,
    )
    page.reload()
    page.wait_for_load_state("load")
    # htmx loaded from our own origin, without tripping the policy.
    assert page.evaluate("typeof window.htmx") == "object"
    assert violations == []
