"""The director's journey: a cohort and an assignment, which the resident sees
first on their home page and plays; then the director reads that attempt from
the dashboard, the assignment and the mastery grid, and the item analysis."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.browser.player import pick
from tests.cases.helpers import VALID_FILES
from tests.factories import PASSWORD, REFERENCE


def log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_director_assigns_a_case_and_the_resident_sees_it(
    page: Page, director: Any, resident: Any, transactional_db: None, size: dict[str, int]
) -> None:
    call_command("import_content", *map(str, VALID_FILES), stdout=StringIO(), stderr=StringIO())
    log_in(page, "dara")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Program").click()
    expect(page.get_by_role("heading", name="Northfield Residency")).to_be_visible()
    page.get_by_label("Cohort name").fill("PGY-1 2026")
    page.get_by_role("button", name="Create cohort").click()
    expect(page.get_by_role("heading", name="PGY-1 2026", level=1)).to_be_visible()

    page.get_by_label("Username or email").fill("rita")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("rita added to PGY-1 2026.")).to_be_visible()

    page.get_by_role("link", name="Assign cases").click()
    page.get_by_label("Title").fill("Foot week")
    page.get_by_label("A lump on the foot").check()
    page.get_by_label("Assessment — feedback in the debrief only").check()
    page.get_by_role("button", name="Create assignment").click()
    expect(page.get_by_role("heading", name="Foot week")).to_be_visible()
    expect(page.get_by_text("0 of 1 (passed 0, late 0)")).to_be_visible()

    page.wait_for_load_state()  # styled: the footer's copy of the button hidden
    page.get_by_role("button", name="Log out").click()
    log_in(page, "rita")
    assignments = page.get_by_role("region", name="Your assignments")
    expect(assignments.get_by_role("heading", name="Foot week")).to_be_visible()
    expect(assignments.get_by_text("Due", exact=True)).to_be_visible()
    assignments.get_by_role("button", name="Start A lump on the foot").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/$"))
    for keys in REFERENCE:
        form = page.locator("form.decision")
        pick(form, keys)
        form.get_by_role("button", name="Confirm decision").click()
        expect(page.locator("#progress")).to_be_attached()
    expect(page.get_by_text("The case is complete.")).to_be_visible()
    attempt = page.url.rstrip("/").rsplit("/", 1)[1]
    review = f"/attempts/{attempt}/review/"

    # The director reads the attempt from each place a score appears.
    page.wait_for_load_state()  # styled: the footer's copy of the button hidden
    page.get_by_role("button", name="Log out").click()
    log_in(page, "dara")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Program").click()
    expect(page.get_by_text("Counted here, as in the program's exports")).to_be_visible()
    expect(page.get_by_role("heading", name="Create a cohort")).to_be_visible()
    latest = page.get_by_role("region", name="Latest attempts")
    expect(latest.get_by_role("link", name="rita")).to_have_attribute("href", review)
    latest.get_by_role("link", name="rita").click()
    expect(page).to_have_url(review)
    expect(page.get_by_text("100")).not_to_have_count(0)

    page.goto("/program/")
    page.get_by_role("link", name="PGY-1 2026", exact=True).click()
    page.get_by_role("link", name="Foot week").click()
    page.get_by_role("link", name="100").click()
    expect(page).to_have_url(review)

    page.go_back()
    page.get_by_role("link", name="PGY-1 2026").click()
    page.get_by_role("link", name="Mastery grid").click()
    page.get_by_role("link", name=re.compile(r"100%")).first.click()
    page.get_by_role("link", name="rita").click()
    expect(page).to_have_url(review)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Item analysis").click()
    page.get_by_role("link", name="A lump on the foot").click()
    expect(page.get_by_text("1 finished attempt by Northfield Residency")).to_be_visible()
