from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command
from playwright.sync_api import Page, expect


def log_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_demo_resident_logs_in_lands_on_home_and_logs_out(page: Page, axe: Any) -> None:
    call_command("seed_demo", "--force", stdout=StringIO())

    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    log_in(page, "resident", "casepath-demo")

    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", name="Welcome, resident")).to_be_visible()
    expect(page.get_by_role("heading", name="Resident", exact=True)).to_be_visible()
    expect(page.get_by_text("Demo Residency")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("contentinfo")).to_contain_text(
        "Educational use only — not a substitute for clinical judgement."
    )

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url("/accounts/login/")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    # The harness scans each page as it loads; the last one is scanned at teardown.
    assert len(axe.scanned) >= 2, axe.scanned


def test_a_wrong_password_is_reported_in_the_page(page: Page) -> None:
    page.goto("/accounts/login/")
    log_in(page, "nobody", "wrong")
    expect(page.get_by_role("alert")).to_contain_text(
        "Please enter a correct username and password."
    )


def test_on_a_phone_the_skip_link_appears_on_keyboard_focus(page: Page) -> None:
    call_command("seed_demo", "--force", stdout=StringIO())
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/accounts/login/")
    log_in(page, "resident", "casepath-demo")
    expect(page).to_have_url("/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
