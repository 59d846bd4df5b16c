"""An instructor writes a case in the browser, a colleague reviews it, a resident plays it."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

from django.core.management import call_command
from playwright.sync_api import Locator, Page, expect

from tests.cases.helpers import VALID_FILES

PASSWORD = "casepath-demo"


def log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=f"Welcome, {username}")).to_be_visible()


def log_out(page: Page) -> None:
    # Once the stylesheet has loaded: until then the footer's copy of the
    # button (for phones) shows beside the header's.
    page.wait_for_load_state()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url("/accounts/login/")


def saved(page: Page, path: str) -> Any:
    """Waits for the save posted to ``path`` (a "Saved." left by an earlier save
    of the same part would otherwise pass at once)."""
    return page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(path))


def save_stage(page: Page, key: str) -> None:
    stage = page.locator(f"#stage-{key}")
    with saved(page, f"/stages/{key}/"):
        stage.get_by_role("button", name="Save stage").click()
    expect(page.locator(f"#stage-{key}").get_by_role("status")).to_have_text("Saved.")


def choose(option: Locator, field: str, search: str) -> None:
    """Pick from a searchable list (static/js/multiselect.js): type, Enter, Escape."""
    box = option.get_by_role("combobox", name=field)
    box.click()
    box.press_sequentially(search)
    box.press("Enter")
    # Chosen: the list shows it as an item (a slow page must not move on before).
    control = box.locator("xpath=ancestor::div[contains(@class, 'ts-control')]")
    expect(control.locator(f'.item[data-value="{search}"]')).to_have_count(1)
    box.press("Escape")


def fill_option(
    page: Page,
    stage: str,
    index: int,
    *,
    label: str,
    action: str,
    expect_verdict: str,
    next_stage: str | None,
    feedback: str,
    citation: str,
) -> None:
    option = page.locator(f"#option-{stage}-{index}")
    option.get_by_label("Label").fill(label)
    choose(option, "Algorithm actions", action)
    option.get_by_label("Expected verdict (the key)").select_option(expect_verdict)
    if next_stage:
        option.get_by_label("Leads to").select_option(next_stage)
    option.get_by_label("Feedback (Markdown)").fill(feedback)
    choose(option, "Citations", citation)
    with saved(page, f"/stages/{stage}/options/{index}/"):
        option.get_by_role("button", name="Save option").click()
    expect(page.locator(f"#option-{stage}-{index}").get_by_role("status")).to_have_text("Saved.")


def add_option(page: Page, stage: str, title: str) -> None:
    page.get_by_role("button", name=f"Add an option to “{title}”").click()
    # Focus moves to the new option's first field once htmx has settled.
    expect(page.locator(":focus")).to_have_id(re.compile(rf"option-{stage}-\d+-key"))


def test_an_instructor_writes_a_case_a_colleague_reviews_it_and_a_resident_plays_it(
    page: Page, size: dict[str, int]
) -> None:
    page.set_default_timeout(10_000)
    call_command("seed_demo", "--force", stdout=StringIO())
    call_command("import_content", *map(str, VALID_FILES), stdout=StringIO())

    # The instructor starts a new case from scratch.
    log_in(page, "instructor")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Authoring").click()
    expect(page.get_by_role("heading", name="Authoring", exact=True)).to_be_visible()
    new_case = page.get_by_role("region", name="Start a new case")
    new_case.get_by_label("Slug").fill("heel-lump")
    new_case.get_by_label("Title").fill("A lump on the heel")
    page.get_by_role("button", name="Create the case").click()
    expect(page.get_by_role("heading", name="A lump on the heel", level=1)).to_be_visible()
    expect(page.locator(".status")).to_have_text("Draft")

    # Details and patient, saved with htmx.
    page.get_by_label("Presentation (one line for the catalogue)").fill(
        "A 60-year-old man with a hard lump on the heel"
    )
    page.get_by_label("Patient summary").fill("60-year-old man with type 2 diabetes")
    page.get_by_label("Age", exact=True).fill("60")
    page.get_by_label("Sex", exact=True).select_option("male")
    page.get_by_role("button", name="Save case and patient").click()
    expect(page.locator("#details").get_by_role("status")).to_have_text("Saved.")

    # A third stage, between the two the new case starts with.
    page.locator("#new-stage-key").fill("workup")
    page.locator("#new-stage-title").fill("Work-up")
    page.get_by_role("button", name="Add stage").click()
    expect(page.locator("#stage-workup")).to_be_visible()
    # Focus moves into the new stage once htmx has settled; typing elsewhere
    # before then would follow it there.
    expect(page.locator("#stage-workup-key")).to_be_focused()

    # The narrative's preview renders the Markdown as it is typed.
    first = page.locator("#stage-presentation")
    first.get_by_label("Narrative (Markdown)").fill("A **hard** lump on the heel for six weeks.")
    expect(page.locator("#stage-presentation-narrative-preview strong")).to_have_text("hard")
    save_stage(page, "presentation")

    add_option(page, "presentation", "Presentation")
    fill_option(
        page,
        "presentation",
        0,
        label="Plain radiograph",
        action="imaging.radiograph",
        expect_verdict="best",
        next_stage="workup",
        feedback="Plain films come first.",
        citation="smith2020",
    )
    add_option(page, "presentation", "Presentation")
    # The second option is given no next stage: it leads nowhere.
    fill_option(
        page,
        "presentation",
        1,
        label="MRI",
        action="imaging.mri",
        expect_verdict="harmful_minor",
        next_stage=None,
        feedback="MRI is not the first test.",
        citation="smith2020",
    )

    workup = page.locator("#stage-workup")
    workup.get_by_label("Narrative (Markdown)").fill("The films show calcification.")
    workup.get_by_label("Question").fill("Which sample do you send?")
    workup.locator("#stage-workup-next").select_option("outcome")
    save_stage(page, "workup")
    add_option(page, "workup", "Work-up")
    fill_option(
        page,
        "workup",
        0,
        label="Deep tissue culture",
        action="micro.tissue_culture",
        expect_verdict="not_indicated",
        next_stage=None,
        feedback="The right sample.",
        citation="doe2019",
    )
    add_option(page, "workup", "Work-up")
    fill_option(
        page,
        "workup",
        1,
        label="Swab",
        action="micro.swab_culture",
        expect_verdict="not_indicated",
        next_stage=None,
        feedback="A swab grows skin flora.",
        citation="doe2019",
    )
    page.locator("#stage-outcome").get_by_label("Narrative (Markdown)").fill("The lump settles.")
    save_stage(page, "outcome")

    # The validator's one remaining problem: the option that leads nowhere. (No finding
    # says infection is suspected, so both samples are keyed "not indicated".)
    problems = page.locator("#problems")
    expect(problems).to_contain_text("this option leads nowhere: give it a 'next'")
    expect(problems.get_by_role("heading", level=2)).to_have_text("1 problem")
    page.get_by_role("link", name="stages.presentation.decision.options[1].next").click()
    expect(page.locator("#option-presentation-1-next")).to_be_focused()
    page.locator("#option-presentation-1-next").select_option("workup")
    page.locator("#option-presentation-1").get_by_role("button", name="Save option").click()
    expect(problems.get_by_role("heading", level=2)).to_have_text("No problems")

    # The picture and the path explorer agree the case is sound.
    page.get_by_role("link", name="Picture").click()
    expect(page.get_by_text("Every stage can be reached, and every path ends.")).to_be_visible()
    expect(page.locator("svg a")).to_have_count(3)
    page.get_by_role("link", name="Paths").click()
    expect(page.locator(".path-summary")).to_contain_text("4")

    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Version 1 submitted for review.")).to_be_visible()
    expect(page.locator(".status")).to_have_text("Submitted")
    log_out(page)

    # A second instructor reviews it and asks for a change on one stage.
    log_in(page, "instructor2")
    page.goto("/authoring/")
    page.get_by_role("region", name="Waiting for your review").get_by_role(
        "link", name="A lump on the heel"
    ).click()
    page.get_by_role("button", name="Start the review").click()
    page.get_by_label("Comment on “Work-up”").fill("Say why a swab misleads.")
    page.locator("#stage-workup").get_by_role("button", name="Add comment").click()
    expect(page.locator("#stage-workup .comment")).to_contain_text("Say why a swab misleads.")
    page.get_by_label("Note to the author").fill("One change to the work-up, please.")
    page.get_by_role("button", name="Request changes").click()
    expect(page.locator(".status")).to_have_text("Changes requested")
    log_out(page)

    # The author sees the comment beside the stage, fixes it and submits again.
    log_in(page, "instructor")
    page.goto("/authoring/heel-lump/")
    expect(page.get_by_role("note").first).to_contain_text("One change to the work-up, please.")
    expect(page.locator("#stage-workup .comment")).to_contain_text("Say why a swab misleads.")
    workup = page.locator("#stage-workup")
    workup.get_by_label("Narrative (Markdown)").fill(
        "The films show calcification. A swab grows skin flora, not the pathogen."
    )
    save_stage(page, "workup")
    page.locator("#stage-workup").get_by_role("button", name="Mark as resolved").click()
    expect(page.locator("#stage-workup .comment")).to_have_count(0)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".status")).to_have_text("Submitted")
    log_out(page)

    # The reviewer approves; the case is published.
    log_in(page, "instructor2")
    page.goto("/authoring/heel-lump/review/")
    page.get_by_role("button", name="Start the review").click()
    expect(page.get_by_role("region", name="What changed since")).to_have_count(0)
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".status")).to_have_text("Approved")
    expect(page.locator(".authoring-facts")).to_contain_text("instructor2")
    log_out(page)

    # A resident plays it.
    log_in(page, "resident")
    page.goto("/cases/")
    page.get_by_role("link", name="A lump on the heel").click()
    page.get_by_role("button", name="Start the case").click()
    page.get_by_label("Plain radiograph").check()
    page.get_by_role("button", name="Confirm decision").click()
    page.get_by_label("Deep tissue culture").check()
    page.get_by_role("button", name="Confirm decision").click()
    expect(page.get_by_text("The case is complete.")).to_be_visible()
