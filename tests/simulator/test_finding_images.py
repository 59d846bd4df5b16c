"""Images in findings as residents and authors see them: the player, the debrief,
the preview, and who may load the image itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cases import authoring, editing, images, models
from cases.images import check_image
from scoring.models import Mode
from simulator.accounts.models import Role
from simulator.services import attempt_choose, attempt_start
from tests.factories import (
    REFERENCE,
    CohortFactory,
    CohortMemberFactory,
    MembershipFactory,
    authored_case,
    import_test_content,
)
from tests.images import png, webp

pytestmark = pytest.mark.django_db

SLUG = "heel-lump"
PATIENT_ALT = "Lateral radiograph: soft-tissue swelling under the heel"
FILMS_ALT = "CRP chart rising over three days"


def with_image(
    version: models.CaseVersion, stage: str | None, index: int, data: bytes, alt: str
) -> str:
    """Attach ``data`` to a finding of the draft as the image page does; its file name."""
    checked = check_image(data)

    def change(document: dict) -> None:
        editing.set_finding_image(
            document, stage, index, file=checked.name, alt=alt, caption="Day 1"
        )
        images.image_store(checked)

    authoring.case_version_edit(version=version, change=change)
    return checked.name


def published(version: models.CaseVersion, author: Any, program: Any) -> models.CaseVersion:
    reviewer = MembershipFactory(program=program, role=Role.INSTRUCTOR).user
    authoring.case_version_submit(version=version, user=author)
    version = authoring.case_version_start_review(version=version, user=reviewer)
    authoring.case_version_approve(version=version, user=reviewer)
    version.refresh_from_db()
    return version


@pytest.fixture
def case_with_images(program: Any, instructor: Any, media: Path) -> dict[str, Any]:
    import_test_content()
    draft = authored_case(program=program, author=instructor, slug=SLUG)
    patient = with_image(draft, None, 0, png(64, 48), PATIENT_ALT)
    films = with_image(draft, "films", 2, webp(30, 20), FILMS_ALT)
    version = published(draft, instructor, program)
    return {"version": version, "patient": patient, "films": films}


def url(version: models.CaseVersion, file: str) -> str:
    return f"/images/{version.pk}/{file}"


def status(client: Client, address: str) -> int:
    """The status of loading an image; read to the end, which closes the file."""
    response = client.get(address)
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def test_the_player_shows_the_finding_s_image_as_a_figure(
    client: Client, case_with_images: dict, resident: Any
) -> None:
    version, file = case_with_images["version"], case_with_images["patient"]
    attempt = attempt_start(user=resident, case=version.case, mode=Mode.PRACTICE)
    client.force_login(resident)

    html = client.get(f"/attempts/{attempt.pk}/").content.decode()

    figure = re.search(r"<figure class=\"figure\">.*?</figure>", html, re.S).group()
    assert f'src="{url(version, file)}"' in figure
    assert f'alt="{PATIENT_ALT}"' in figure
    assert 'width="64" height="48"' in figure and 'loading="lazy"' in figure
    assert "<figcaption>Day 1</figcaption>" in figure
    # The stage finding's image is not shown before its stage is reached.
    assert case_with_images["films"] not in html


def test_the_debrief_shows_the_images_the_path_revealed(
    client: Client, case_with_images: dict, resident: Any
) -> None:
    version = case_with_images["version"]
    attempt = attempt_start(user=resident, case=version.case, mode=Mode.ASSESSMENT)
    for seq, options in enumerate(REFERENCE):
        assert attempt_choose(attempt=attempt, seq=seq, options=options).recorded
    client.force_login(resident)

    html = client.get(f"/attempts/{attempt.pk}/debrief/").content.decode()

    assert "Images from the case" in html
    for file, alt in [
        (case_with_images["patient"], PATIENT_ALT),
        (case_with_images["films"], FILMS_ALT),
    ]:
        assert f'<img src="{url(version, file)}" alt="{alt}"' in html


def test_the_preview_shows_the_draft_s_image(
    client: Client, program: Any, instructor: Any, media: Path
) -> None:
    import_test_content()
    draft = authored_case(program=program, author=instructor, slug=SLUG)
    file = with_image(draft, None, 0, png(), PATIENT_ALT)
    client.force_login(instructor)

    html = client.get(f"/authoring/{SLUG}/preview/").content.decode()

    assert f'<img src="{url(draft, file)}" alt="{PATIENT_ALT}"' in html
    assert status(client, url(draft, file)) == 200


def test_a_resident_who_may_play_the_case_loads_its_image_with_long_cache_headers(
    client: Client, case_with_images: dict, resident: Any, media: Path
) -> None:
    version, file = case_with_images["version"], case_with_images["patient"]
    client.force_login(resident)

    response = client.get(url(version, file))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (media / "findings" / file).read_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_nobody_else_loads_an_image_and_a_draft_s_images_are_for_its_authors(
    client: Client,
    case_with_images: dict,
    resident: Any,
    other_resident: Any,
    outsider: Any,
    instructor: Any,
    program: Any,
    other_program: Any,
) -> None:
    version, file = case_with_images["version"], case_with_images["patient"]
    stranger = MembershipFactory(program=other_program, role=Role.INSTRUCTOR).user
    for user in (other_resident, outsider, stranger):
        client.force_login(user)
        assert status(client, url(version, file)) == 404

    # A new draft with a new image: its authors see it, residents of the program do not.
    draft = authoring.case_version_new_draft(case=version.case, user=instructor)
    new = with_image(draft, None, 0, png(20, 20, (250, 0, 0)), "A new view")
    client.force_login(resident)
    assert status(client, url(draft, new)) == 404
    assert status(client, url(version, new)) == 404  # not shown by the published one
    assert status(client, url(version, file)) == 200
    client.force_login(instructor)
    assert status(client, url(draft, new)) == 200

    # A name that is not an image's, or a version that does not show it: 404.
    assert status(client, f"/images/{version.pk}/../settings.py") == 404
    assert status(client, url(version, "0" * 64 + "-1x1.png")) == 404
    client.logout()
    assert status(client, url(version, file)) == 302  # to the log-in page


def test_staff_reading_a_resident_s_attempt_load_its_images(
    client: Client, case_with_images: dict, resident: Any, director: Any, program: Any
) -> None:
    version = case_with_images["version"]
    CohortMemberFactory(cohort=CohortFactory(program=program), user=resident)
    attempt = attempt_start(user=resident, case=version.case, mode=Mode.PRACTICE)
    for seq, options in enumerate(REFERENCE):
        attempt_choose(attempt=attempt, seq=seq, options=options)
    client.force_login(director)

    html = client.get(f"/attempts/{attempt.pk}/review/").content.decode()

    assert f'alt="{PATIENT_ALT}"' in html
    assert status(client, url(version, case_with_images["patient"])) == 200
