"""Every authored text carries an XSS vector; a real browser plays the case
and reads the debrief, and nothing runs."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.browser.player import pick
from tests.core.test_bundled_cases import REFERENCE_PATHS
from tests.security.xss import import_poisoned_content

CASE = "calcified-deep-mass-sarcoma"
# Executed script or a handler would leave one of these behind.
PROBE = """() => ({
  // json_script data blocks are ours, escaped, and never executed.
  scripts: document.querySelectorAll('main script:not([type="application/json"])').length,
  handlers: [...document.querySelectorAll('main *')].filter(
    (el) => [...el.attributes].some((a) => a.name.startsWith('on'))
  ).length,
  // Our own forms use htmx; authored text must never gain an hx- attribute.
  htmx: [...document.querySelectorAll(
    'main :is(.prose, .findings, .references, .card, label, legend, h1, h2, h3) *'
  )].filter((el) => [...el.attributes].some((a) => a.name.startsWith('hx-'))).length,
  // Our own stage diagram is SVG; authored text in it must stay text.
  frames: document.querySelectorAll(
    'main iframe, main object, main embed, main svg script, main svg foreignObject'
  ).length,
  jsLinks: [...document.querySelectorAll('main a[href]')].filter(
    (a) => !/^(https?:|mailto:|#|\\/)/i.test(a.getAttribute('href').trim())
  ).length,
})"""


def assert_inert(page: Page, dialogs: list[str]) -> None:
    assert page.evaluate(PROBE) == {
        "scripts": 0,
        "handlers": 0,
        "htmx": 0,
        "frames": 0,
        "jsLinks": 0,
    }
    assert dialogs == []


def test_authored_xss_vectors_stay_inert_in_the_player_and_debrief(
    page: Page, axe: Any, bundled: None
) -> None:
    import_poisoned_content()
    call_command("seed_demo", "--force", stdout=StringIO())
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("resident")
    page.get_by_label("Password").fill("casepath-demo")
    page.get_by_role("button", name="Log in").click()
    page.goto("/cases/")
    assert_inert(page, dialogs)
    page.goto(f"/cases/{CASE}/")
    assert_inert(page, dialogs)
    page.get_by_role("button", name="Start the case").click()

    for number, choice in enumerate(REFERENCE_PATHS[CASE].split(", "), start=1):
        form = page.locator("form.decision")
        pick(form, choice.split("+"))
        form.get_by_role("button", name="Confirm decision").click()
        expect(page.get_by_role("heading", name=f"Feedback on decision {number}")).to_be_visible()
        assert_inert(page, dialogs)

    # The vectors are shown as the text the author typed.
    expect(page.locator("main").get_by_text("<script>alert(1)</script>").first).to_be_attached()
    page.get_by_role("link", name="See your debrief").click()
    expect(page.locator(".scorecard__number")).to_have_text("100")
    assert_inert(page, dialogs)
    page.goto("/history/")
    assert_inert(page, dialogs)


def test_authored_xss_vectors_stay_inert_on_the_authoring_screens(page: Page, axe: Any) -> None:
    from itertools import cycle

    from cases import authoring
    from cases.models import Algorithm
    from cases.yamlmap import dump, load
    from simulator.accounts.models import Membership, Program, Role
    from tests.factories import import_test_content
    from tests.security.xss import VECTORS, poison

    import_test_content()
    call_command("seed_demo", "--force", stdout=StringIO())
    instructor = Membership.objects.get(user__username="instructor", role=Role.INSTRUCTOR)
    valid = Path(__file__).parents[1] / "cases" / "valid" / "case.yaml"
    data = load(valid.read_text(encoding="utf-8")).data
    data["slug"] = "poisoned"
    text = dump(poison(data, cycle(VECTORS)))
    draft = authoring.case_create(
        user=instructor.user,
        program=Program.objects.get(pk=instructor.program_id),
        slug="poisoned",
        title="Poisoned",
        algorithm=Algorithm.objects.get(),
    )
    authoring.case_version_save(version=draft, text=text)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("instructor")
    page.get_by_label("Password").fill("casepath-demo")
    page.get_by_role("button", name="Log in").click()
    for path in ("", "picture/", "paths/", "preview/", "versions/"):
        page.goto(f"/authoring/poisoned/{path}")
        expect(page.locator("main")).to_be_visible()
        assert_inert(page, dialogs)
