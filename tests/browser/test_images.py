"""An author attaches a radiograph to a finding; the preview shows it on a phone
without scrolling sideways (and axe scans every page on the way)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.test_overflow import overflow
from tests.factories import PASSWORD, authored_case, import_test_content
from tests.images import jpeg_with_gps, png

SLUG = "heel-lump"
ALT = "Lateral radiograph of the heel: a calcified mass under the calcaneus"


def test_an_author_attaches_an_image_and_the_preview_shows_it_on_a_phone(
    page: Page, program: Any, instructor: Any, transactional_db: None, media: Path
) -> None:
    page.set_default_timeout(10_000)
    import_test_content()
    authored_case(program=program, author=instructor, slug=SLUG)

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(instructor.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("/")

    page.goto(f"/authoring/{SLUG}/")
    page.get_by_role("link", name="Add an image of “Type 2 diabetes”").click()
    expect(page.get_by_role("heading", name="Image of “Type 2 diabetes”")).to_be_visible()

    # A file that is not an image is refused next to its field; nothing changes.
    image_file = page.get_by_label("Image file")
    image_file.set_input_files(
        {"name": "xray.png", "mimeType": "image/png", "buffer": b"not an image\n" * 40}
    )
    page.get_by_label("Alt text").fill(ALT)
    page.get_by_role("button", name="Attach the image").click()
    expect(page.locator("#id_file_error")).to_contain_text("not a PNG, JPEG or WebP image")
    expect(page.get_by_label("Image file")).to_have_attribute("aria-invalid", "true")
    assert not list(media.rglob("*.*"))

    # A wide photo with its GPS position, as a phone takes it.
    page.get_by_label("Image file").set_input_files(
        {"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps(400, 1600)}
    )
    page.get_by_label("Alt text").fill(ALT)
    page.get_by_label("Caption").fill("At the first visit")
    page.get_by_role("button", name="Attach the image").click()
    expect(page.get_by_text("Image saved with “Type 2 diabetes”.")).to_be_visible()
    thumbnail = page.locator("#patient-findings").get_by_role("img", name=ALT)
    expect(thumbnail).to_be_visible()

    # A second finding gets a plain PNG.
    page.get_by_role("link", name="Add an image of “Infection is suspected”").click()
    page.get_by_label("Image file").set_input_files(
        {"name": "chart.png", "mimeType": "image/png", "buffer": png(1200, 300)}
    )
    page.get_by_label("Alt text").fill("CRP chart")
    page.get_by_role("button", name="Attach the image").click()
    expect(page.get_by_text("Image saved with “Infection is suspected”.")).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/authoring/{SLUG}/preview/")
    figure = page.locator("figure").filter(has=page.get_by_role("img", name=ALT))
    image = figure.get_by_role("img", name=ALT)
    image.scroll_into_view_if_needed()
    expect(image).to_be_visible()
    expect(figure.locator("figcaption")).to_have_text("At the first visit")
    # Loaded through the view that checks who may see it, and fitted to the phone.
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [1600, 400]
    box = image.bounding_box()
    assert box is not None and box["width"] <= 390
    assert overflow(page) == 0

    # The stage finding's image appears once its stage is reached.
    page.get_by_label("Plain radiograph").check()
    page.get_by_role("button", name="Confirm decision").click()
    chart = page.get_by_role("img", name="CRP chart")
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
    )
    assert overflow(page) == 0
