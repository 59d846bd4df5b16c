"""A resident on a phone (390 × 844): a header that leaves the screen to the
case, the decision one skip away, short feedback and a debrief that reads in
minutes. The figures are what docs/operations.md and the issue note report."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.browser.player import pick
from tests.core.test_bundled_cases import REFERENCE_PATHS

PHONE = {"width": 390, "height": 844}
SARCOMA = "calcified-deep-mass-sarcoma"


def log_in(page: Page) -> None:
    call_command("seed_demo", "--force", stdout=StringIO())
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("resident")
    page.get_by_label("Password").fill("casepath-demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def start(page: Page, mode: str) -> None:
    page.goto(f"/cases/{SARCOMA}/")
    page.locator(f"#mode-{mode}").check()
    page.get_by_role("button", name="Start the case").click()
    expect(page.locator("form.decision")).to_be_visible()


def top(page: Page, selector: str) -> float:
    return page.evaluate(
        f"document.querySelector('{selector}').getBoundingClientRect().top + scrollY"
    )


def test_on_a_phone_the_next_question_is_near_the_feedback_and_the_debrief_is_short(
    page: Page, axe: Any, bundled: None
) -> None:
    log_in(page)
    assert page.evaluate("document.querySelector('header').offsetHeight") < PHONE["height"] / 10

    start(page, "practice")
    # The skip link lands on the decision: one Tab to the link, Enter, one Tab to the first option.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the decision")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("form.decision input[name=option]").first).to_be_focused()
    marks = page.locator(".player sup.cite a")
    if marks.count():
        box = marks.first.bounding_box()
        assert box and box["width"] >= 24 and box["height"] >= 24

    page.locator("#opt-xray").check()
    page.get_by_role("button", name="Confirm decision").click()
    expect(page.get_by_role("heading", name="Feedback on decision 1")).to_be_visible()
    # The first thing under the feedback's heading is the verdict, then the author's words.
    expect(page.locator(".feedback .review__choice .badge").first).to_have_text("Indicated")
    between = top(page, "form.decision") - top(page, "#feedback-title")
    assert between < 2 * PHONE["height"], between
    reasons = page.locator(".feedback details.review__why").first
    expect(reasons).not_to_have_attribute("open", "")
    axe.scan()

    start(page, "assessment")
    for seq, choice in enumerate(REFERENCE_PATHS[SARCOMA].split(", ")):
        form = page.locator("form.decision")
        expect(page.locator("input[name=seq]")).to_have_value(str(seq))
        pick(form, choice.split("+"))  # put in order: the author's order
        form.get_by_role("button", name="Confirm decision").click()
    page.get_by_role("link", name="See your debrief").click()
    expect(page.locator(".scorecard__number")).to_have_text("100")
    height = page.evaluate("document.documentElement.scrollHeight")
    # A third of the 19,470 px the first review measured on a phone.
    assert height < 6490, height
    # A citation mark still leads to its source, opening the closed list.
    page.locator(".decision-debrief sup.cite a").first.click()
    expect(page.locator(".references__list")).to_have_attribute("open", "")
