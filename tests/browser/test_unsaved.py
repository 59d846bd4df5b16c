"""An instructor writing at night never loses typed text: adding an option or a
stage inserts its form without reloading, so what was typed elsewhere stays and
nothing needs asking; leaving with a part unsaved still asks first. The
actions and citations are picked with a searchable list, by keyboard alone,
under our CSP."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, expect

from cases import authoring
from tests.factories import PASSWORD, authored_case, import_test_content

PHONE = {"width": 390, "height": 844}
# Records every CSP violation a page reports, from its first script on.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


@pytest.fixture
def draft(program: Any, instructor: Any, transactional_db: None) -> Any:
    import_test_content()
    return authored_case(program=program, author=instructor)


@pytest.fixture
def csp_violations(page: Page) -> Callable[[], list[str]]:
    """What the browser refused under the Content-Security-Policy, as the page
    reported it (securitypolicyviolation) and as the console did."""
    console: list[str] = []
    page.add_init_script(WATCH_CSP)
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text or message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))
    return lambda: console + page.evaluate("window.__cspViolations ?? []")


@pytest.fixture
def dialogs(page: Page) -> list[str]:
    """Every dialog the page opens, answered "stay on this page"."""
    asked: list[str] = []

    def stay(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    return asked


def open_editor(page: Page, username: str, slug: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))
    page.goto(f"/authoring/{slug}/")
    # multiselect.js has run: the lists are search boxes.
    expect(page.locator("#option-intro-0 .ts-wrapper")).to_have_count(2)


def chosen(option: Locator, field: str) -> list[str]:
    return option.locator(f"select[name={field}]").evaluate(
        "select => [...select.selectedOptions].map(o => o.value)"
    )


def test_adding_an_option_keeps_what_was_typed_elsewhere_and_asks_nothing(
    page: Page,
    draft: Any,
    instructor: Any,
    dialogs: list[str],
    csp_violations: Callable[[], list[str]],
) -> None:
    open_editor(page, instructor.username, draft.case.slug)
    first = page.locator("#option-intro-0").get_by_label("Label")
    first.fill("Typed late at night")
    stage_title = page.locator("#stage-intro-title")
    stage_title.fill("First visit, retitled")

    page.get_by_role("button", name="Add an option to").first.click()

    new = page.locator("#option-intro-2")
    expect(new).to_be_visible()
    expect(page.locator("#option-intro-2-key")).to_be_focused()  # its first field
    expect(new.get_by_role("heading", level=5)).to_have_text("Option 3: (no label yet)")
    expect(new.locator(".ts-wrapper")).to_have_count(2)  # its lists are search boxes too
    expect(first).to_have_value("Typed late at night")  # nothing reloaded
    expect(stage_title).to_have_value("First visit, retitled")
    # The problem list speaks of the new, empty option.
    expect(page.locator("#problems")).to_contain_text("options[2].label")
    assert dialogs == []
    assert csp_violations() == []
    draft.refresh_from_db()
    assert len(draft.document["stages"]["intro"]["decision"]["options"]) == 3


def test_saving_a_stage_keeps_what_was_typed_in_its_options(
    page: Page,
    draft: Any,
    instructor: Any,
    dialogs: list[str],
    csp_violations: Callable[[], list[str]],
) -> None:
    open_editor(page, instructor.username, draft.case.slug)
    label = page.locator("#option-intro-0").get_by_label("Label")
    label.fill("Typed, not yet saved")
    page.locator("#stage-intro-title").fill("First visit, retitled")
    page.locator("#stage-intro-main").get_by_role("button", name="Save stage").click()

    expect(page.locator("#stage-intro-main .saved")).to_have_text("Saved.")
    expect(page.locator("#stage-intro-heading")).to_contain_text("First visit, retitled")
    expect(label).to_have_value("Typed, not yet saved")  # the option was not redrawn
    draft.refresh_from_db()
    assert draft.document["stages"]["intro"]["title"] == "First visit, retitled"
    # The option's typing is still unsaved, so leaving still asks.
    page.get_by_role("link", name="Picture").click()
    assert dialogs == ["beforeunload"]
    assert csp_violations() == []


def test_adding_a_stage_keeps_what_was_typed_elsewhere_and_asks_nothing(
    page: Page,
    axe: Any,
    draft: Any,
    instructor: Any,
    dialogs: list[str],
    csp_violations: Callable[[], list[str]],
) -> None:
    open_editor(page, instructor.username, draft.case.slug)
    first = page.locator("#option-intro-0").get_by_label("Label")
    first.fill("Typed late at night")

    page.locator("#new-stage-key").fill("scan")
    page.locator("#new-stage-title").fill("The scan")
    page.get_by_role("button", name="Add stage").click()

    stage = page.locator("#stage-scan")
    expect(stage).to_be_visible()
    expect(page.locator("#stage-scan-key")).to_be_focused()
    expect(stage.get_by_label("Question")).to_have_value("What do you do next?")
    expect(first).to_have_value("Typed late at night")
    expect(page.locator("#new-stage-key")).to_have_value("")  # ready for the next one
    # Every menu of stages already on the page offers it, without a reload.
    expect(page.locator("#option-intro-0-next option[value=scan]")).to_have_count(1)
    expect(page.locator("#case-start option[value=scan]")).to_have_count(1)
    # A pick-one question has no "At least / At most"; pick-several has.
    expect(stage.get_by_label("At least (pick several)")).to_be_hidden()
    page.locator("#stage-scan-type").select_option("several")
    expect(stage.get_by_label("At least (pick several)")).to_be_visible()
    expect(stage.get_by_label("At most (pick several)")).to_be_visible()
    # Its own "Add an option" works the same way.
    expect(stage.get_by_text("No options yet.")).to_be_visible()
    stage.get_by_role("button", name="Add an option to “The scan”").click()
    expect(page.locator("#option-scan-0-key")).to_be_focused()
    expect(stage.get_by_text("No options yet.")).to_be_hidden()

    # A key already used comes back in the form, as typed, saying why.
    page.locator("#new-stage-key").fill("films")
    page.get_by_role("button", name="Add stage").click()
    expect(page.locator("#new-stage-key-error")).to_have_text("There is already a stage 'films'.")
    expect(page.locator("#new-stage-key")).to_be_focused()
    expect(page.locator("#new-stage-key")).to_have_value("films")
    expect(first).to_have_value("Typed late at night")
    axe.scan()  # the parts htmx inserted, as a screen reader meets them
    assert dialogs == []
    assert csp_violations() == []


def test_pick_several_fields_show_only_for_pick_several_questions(
    page: Page, draft: Any, instructor: Any
) -> None:
    open_editor(page, instructor.username, draft.case.slug)
    intro = page.locator("#stage-intro")  # pick one
    films = page.locator("#stage-films")  # pick several, at least 1, at most 2
    expect(intro.get_by_label("At least (pick several)")).to_be_hidden()
    expect(intro.get_by_label("At most (pick several)")).to_be_hidden()
    expect(films.get_by_label("At least (pick several)")).to_have_value("1")
    page.locator("#stage-intro-type").select_option("several")
    expect(intro.get_by_label("At least (pick several)")).to_be_visible()
    page.locator("#stage-intro-type").select_option("one")
    expect(intro.get_by_label("At least (pick several)")).to_be_hidden()


def test_leaving_with_a_part_unsaved_still_asks_first(
    page: Page, draft: Any, instructor: Any, dialogs: list[str]
) -> None:
    open_editor(page, instructor.username, draft.case.slug)
    title = page.locator(".stage-part input[name=title]").first
    title.fill("Typed late at night")
    page.get_by_role("link", name="Picture").click()

    expect(title).to_have_value("Typed late at night")  # stayed, still typed
    assert dialogs == ["beforeunload"]

    # Saved, the same click goes ahead without asking.
    page.get_by_role("button", name="Save stage").first.click()
    expect(page.locator(".stage-part").first.get_by_role("status")).to_have_text("Saved.")
    page.get_by_role("link", name="Picture").click()
    expect(page).to_have_url(f"/authoring/{draft.case.slug}/picture/")
    assert dialogs == ["beforeunload"]


def tab_to(page: Page, target: Locator, most: int = 25) -> None:
    """Press Tab until ``target`` has focus, as a keyboard user would."""
    for _ in range(most):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} not reached in {most} Tab presses")


def test_actions_and_citations_are_chosen_by_keyboard_alone(
    page: Page, axe: Any, draft: Any, instructor: Any, csp_violations: Callable[[], list[str]]
) -> None:
    page.set_viewport_size(PHONE)
    open_editor(page, instructor.username, draft.case.slug)
    option = page.locator("#option-intro-0")
    actions = option.get_by_role("combobox", name="Algorithm actions")
    citations = option.get_by_role("combobox", name="Citations")
    announced = page.locator("div.visually-hidden[aria-live=polite]")

    option.get_by_label("Label").focus()
    page.keyboard.press("Tab")  # each one chosen comes first, with its Remove button
    expect(option.get_by_role("button", name="Remove Plain radiograph")).to_be_focused()
    page.keyboard.press("Tab")
    expect(actions).to_be_focused()  # the label names the search box
    expect(actions).to_have_accessible_description(
        "Type to search, then Enter to add; Backspace removes the last one chosen."
    )
    page.keyboard.type("reactive")  # part of a title
    expect(page.get_by_role("option", name="C-reactive protein lab.crp")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
    axe.scan()  # the open list, on a phone
    page.keyboard.press("Enter")
    expect(announced).to_have_text("C-reactive protein added to Algorithm actions; 2 chosen.")
    assert chosen(option, "actions") == ["imaging.radiograph", "lab.crp"]

    # Backspace takes the last one back; each chosen one has its own Remove button.
    expect(actions).to_have_value("")  # the search is cleared for the next one
    page.keyboard.press("Backspace")
    expect(announced).to_have_text("C-reactive protein removed from Algorithm actions; 1 chosen.")
    page.keyboard.type("micro.swab")  # part of a key
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Tab")
    expect(option.get_by_role("button", name="Remove Swab culture")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(option.get_by_role("button", name="Remove Plain radiograph")).to_be_focused()
    page.keyboard.press("Enter")
    expect(announced).to_have_text("Plain radiograph removed from Algorithm actions; 1 chosen.")
    expect(option.get_by_role("button", name="Remove Swab culture")).to_be_focused()
    assert chosen(option, "actions") == ["micro.swab_culture"]

    tab_to(page, citations)
    page.keyboard.type("swab")  # a reference's title
    page.keyboard.press("Enter")
    assert chosen(option, "citations") == ["smith2020", "doe2019"]

    # Both references are chosen now: a search finds nothing, and says so.
    page.keyboard.type("imag")
    expect(page.get_by_role("option", name="Nothing matches.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
    axe.scan()  # chosen items, their buttons and the list saying nothing matches
    page.keyboard.press("Escape")

    tab_to(page, option.get_by_role("button", name="Save option"))
    page.keyboard.press("Enter")
    expect(page.locator("#option-intro-0").get_by_role("status")).to_have_text("Saved.")

    page.reload()
    option = page.locator("#option-intro-0")
    expect(option.get_by_role("button", name="Remove Swab culture")).to_be_visible()
    expect(option.get_by_role("button", name="Remove Tissue culture versus swab")).to_be_visible()
    draft.refresh_from_db()
    saved = authoring.working_data(draft)[0]["stages"]["intro"]["decision"]["options"][0]
    assert saved["actions"] == ["micro.swab_culture"]
    assert saved["citations"] == ["smith2020", "doe2019"]
    assert csp_violations() == []


def test_without_javascript_the_native_lists_still_save(
    browser: Browser, live_server: Any, draft: Any, instructor: Any
) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(instructor.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(f"/authoring/{draft.case.slug}/")
        option = page.locator("#option-intro-0")
        expect(option.get_by_text("Hold Ctrl (⌘ on a Mac) to choose several.")).to_have_count(2)
        expect(page.locator("#stage-intro").get_by_label("At least (pick several)")).to_be_visible()
        option.get_by_label("Algorithm actions").select_option(["imaging.mri", "lab.crp"])
        option.get_by_role("button", name="Save option").click()
        expect(page).to_have_url(f"/authoring/{draft.case.slug}/?stage=intro#option-intro-0")
        page.get_by_role("button", name="Add an option to").first.click()
        expect(page).to_have_url(f"/authoring/{draft.case.slug}/?stage=intro#option-intro-2")
    finally:
        context.close()
    draft.refresh_from_db()
    options = authoring.working_data(draft)[0]["stages"]["intro"]["decision"]["options"]
    # Posted in the menu's order, which follows the stored algorithm's (jsonb sorts keys).
    assert sorted(options[0]["actions"]) == ["imaging.mri", "lab.crp"]
    assert len(options) == 3
