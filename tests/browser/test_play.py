"""A resident plays the diabetic-foot case from the catalogue to the debrief
with the keyboard alone, on a phone-sized screen, and sees its sources."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command
from playwright.sync_api import Locator, Page, expect

from tests.core.test_bundled_cases import REFERENCE_PATHS

CASE = "diabetic-ulcer-osteomyelitis"


def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until ``target`` has focus: proof it is reachable by keyboard."""
    handle = target.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
    raise AssertionError(f"{target} cannot be reached with the Tab key")


def test_a_resident_plays_the_diabetic_foot_case_by_keyboard_and_reads_the_debrief(
    page: Page, axe: Any, bundled: None, size: dict[str, int]
) -> None:
    call_command("seed_demo", "--force", stdout=StringIO())
    page.goto("/accounts/login/")

    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type("resident")
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type("casepath-demo")
    page.keyboard.press("Enter")
    expect(page).to_have_url("/")

    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Cases", level=1)).to_be_visible()

    case_link = page.locator(f"a[href='/cases/{CASE}/']")
    tab_to(page, case_link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Start the case")).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Start the case"))
    page.keyboard.press("Enter")

    for number, choice in enumerate(REFERENCE_PATHS[CASE].split(", "), start=1):
        expect(page.locator("input[name=seq]")).to_have_value(str(number - 1))
        form = page.locator("form.decision")
        for key in choice.split("+"):
            tab_to(page, form.locator(f"#opt-{key}"))
            page.keyboard.press("Space")
            expect(form.locator(f"#opt-{key}")).to_be_checked()
        tab_to(page, form.get_by_role("button", name="Confirm decision"))
        page.keyboard.press("Enter")
        # htmx swaps in the next stage and moves focus to its heading.
        expect(page.get_by_role("heading", name=f"Feedback on decision {number}")).to_be_visible()
        expect(page.locator("#feedback-title")).to_be_focused()
        expect(page.locator(".feedback .cite a").first).to_be_visible()
        axe.scan()

    expect(page.get_by_text("The case is complete.")).to_be_visible()
    tab_to(page, page.get_by_role("link", name="See your debrief"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Debrief", exact=False).first).to_be_visible()
    expect(page.locator(".scorecard__number")).to_have_text("100")
    expect(page.locator("#critical-title")).to_have_count(0)
    citation = page.locator(".decision-debrief .cite a").first
    tab_to(page, citation)
    page.keyboard.press("Enter")
    target = citation.get_attribute("href")
    expect(page.locator(f"{target}")).to_contain_text("PMID")
    expect(
        page.locator(".references a[href^='https://pubmed.ncbi.nlm.nih.gov/']").first
    ).to_be_visible()
