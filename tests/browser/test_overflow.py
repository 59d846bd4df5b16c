"""No page scrolls sideways: every page type, at a phone's 390 px and a
laptop's 1280 px, as the resident, the instructor and the director who use it.
Wide tables scroll inside their own box instead (and every page is scanned
with axe as it loads)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from cases.models import Algorithm
from tests.factories import (
    PASSWORD,
    AssignmentFactory,
    AttemptFactory,
    CaseVersionFactory,
    CohortFactory,
    CohortMemberFactory,
)

WIDTHS = (390, 1280)


def overflow(page: Page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def visit_all(page: Page, username: str, urls: list[str]) -> list[str]:
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("/")
        for url in urls:
            response = page.goto(url)
            assert response is not None and response.status == 200, (url, response)
            if (extra := overflow(page)) > 0:
                found.append(f"{url} at {width} px: {extra} px too wide")
        page.context.clear_cookies()
    return found


@pytest.fixture
def world(program: Any, resident: Any, instructor: Any, director: Any, transactional_db: None):
    version = CaseVersionFactory(program=program, author=instructor)
    cohort = CohortFactory(program=program)
    CohortMemberFactory(cohort=cohort, user=resident)
    assignment = AssignmentFactory(cohort=cohort, cases=[version.case])
    attempt = AttemptFactory(user=resident, case_version=version, assignment=assignment)
    step = version.algorithm_version.parsed.steps[0].key
    return {
        "slug": version.case.slug,
        "program": program.slug,
        "cohort": cohort.pk,
        "assignment": assignment.pk,
        "attempt": attempt.pk,
        "algorithm": Algorithm.objects.get().slug,
        "step": step,
    }


def test_no_page_scrolls_sideways_on_a_phone_or_a_laptop(page: Page, axe: Any, world) -> None:
    w = world
    pages = {
        "rita": [
            "/",
            reverse("simulator:catalogue"),
            reverse("simulator:case", args=[w["slug"]]),
            reverse("simulator:play", args=[w["attempt"]]),
            reverse("simulator:debrief", args=[w["attempt"]]),
            reverse("simulator:history"),
            reverse("scoring:scoring_help"),
        ],
        "ines": [
            reverse("cases:authoring"),
            reverse("cases:edit", args=[w["slug"]]),
            reverse("cases:paths", args=[w["slug"]]),
            reverse("simulator:preview", args=[w["slug"]]),
            reverse("cases:versions", args=[w["slug"]]),
            reverse("cases:graph", args=[w["slug"]]),
            reverse("scoring:items"),
            reverse("scoring:item_analysis", args=[w["program"], w["slug"]]),
        ],
        "dara": [
            reverse("scoring:program_dashboard", args=[w["program"]]),
            reverse("scoring:cohort", args=[w["cohort"]]),
            reverse("scoring:cohort_mastery", args=[w["cohort"]]),
            reverse("scoring:cohort_mastery_cell", args=[w["cohort"], w["algorithm"], w["step"]]),
            reverse("scoring:assignment", args=[w["assignment"]]),
            reverse("scoring:assignment_edit", args=[w["assignment"]]),
            reverse("scoring:assignment_create", args=[w["cohort"]]),
        ],
    }
    too_wide = [found for user, urls in pages.items() for found in visit_all(page, user, urls)]

    assert not too_wide, "\n".join(too_wide)


def test_a_wide_markdown_table_scrolls_from_the_keyboard_on_a_phone(
    page: Page, resident: Any, transactional_db: None
) -> None:
    """docs/scoring.md's tables and code scroll in their own box at 390 px;
    each box that scrolls takes focus, and the arrow keys scroll it."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(resident.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("/")
    page.goto(reverse("scoring:scoring_help"))
    boxes = page.locator(".prose pre, .prose table")
    scrolling = [box for box in boxes.all() if box.evaluate("e => e.scrollWidth > e.clientWidth")]
    assert scrolling, "nothing on the page is wider than a phone"
    for box in scrolling:
        assert box.get_attribute("tabindex") == "0"
        box.focus()
        box.press("ArrowRight")
        page.wait_for_function("e => e.scrollLeft > 0", arg=box.element_handle())
