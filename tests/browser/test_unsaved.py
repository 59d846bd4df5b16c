"""An instructor writing at night never loses typed text without being asked:
posting another form, or leaving, while a part of the case is unsaved asks first."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Dialog, Page, expect

from tests.factories import PASSWORD, authored_case, import_test_content


def test_adding_an_option_with_an_unsaved_stage_asks_first(
    page: Page, program: Any, instructor: Any, transactional_db: None
) -> None:
    import_test_content()
    draft = authored_case(program=program, author=instructor)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(instructor.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/authoring/{draft.case.slug}/")

    asked: list[str] = []

    def stay(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()  # "stay on this page"

    page.on("dialog", stay)
    title = page.locator(".stage-part input[name=title]").first
    title.fill("Typed late at night")
    page.get_by_role("button", name="Add an option to").first.click()

    assert asked == ["beforeunload"]
    expect(title).to_have_value("Typed late at night")  # still here, still typed

    # Saved, the same click goes ahead without asking.
    page.get_by_role("button", name="Save stage").first.click()
    expect(page.locator(".stage-part").first.get_by_role("status")).to_have_text("Saved.")
    page.get_by_role("button", name="Add an option to").first.click()
    page.wait_for_load_state()
    assert asked == ["beforeunload"]
