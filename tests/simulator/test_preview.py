"""The author's preview over HTTP: the player playing a draft, recording nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cases import authoring, models
from cases.paths import explore
from simulator.models import Attempt
from tests.factories import authored_case, import_test_content

pytestmark = pytest.mark.django_db

SLUG = "heel-lump"


@pytest.fixture
def draft(program: Any, instructor: Any) -> models.CaseVersion:
    import_test_content()
    return authored_case(program=program, author=instructor, slug=SLUG)


def test_the_preview_plays_the_draft_and_records_nothing(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    response = client.get(f"/authoring/{SLUG}/preview/", {"mode": "practice", "option": "films"})
    assert response.status_code == 302
    assert response["Location"] == f"/authoring/{SLUG}/preview/?mode=practice&c=films"
    html = client.get(response["Location"]).content.decode()
    assert "Feedback on decision 1" in html
    assert "Plain films come first." in html
    assert "The films" in html  # the next stage's title
    assessment = client.get(f"/authoring/{SLUG}/preview/?mode=assessment&c=films").content.decode()
    assert "Feedback on decision 1" not in assessment
    assert '<option value="assessment" selected>' in assessment
    assert f'href="/authoring/{SLUG}/preview/?mode=assessment"' in assessment  # undo
    bad = client.get(
        f"/authoring/{SLUG}/preview/?mode=practice&c=films&option=tissue&option=swab&option=crp"
    )
    assert "Pick at most 2 options; you picked 3." in bad.content.decode()
    assert Attempt.objects.count() == 0


def test_the_preview_of_a_finished_path_shows_the_debrief(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    paths = client.get(f"/authoring/{SLUG}/paths/").content.decode()
    assert "Every path, scored" in paths

    document = authoring.check_version(draft).sources[0].document
    first = explore(document, draft.algorithm_version.parsed).paths[0]
    query = "&".join(f"c={'+'.join(s.options)}" for s in first.steps)
    html = client.get(f"/authoring/{SLUG}/preview/?mode=assessment&{query}").content.decode()
    assert f"Debrief: score {first.score} / 100" in html
    assert "The case is complete." in html
    assert "See your debrief" not in html  # nothing was recorded to debrief


def test_a_preview_url_with_a_choice_that_cannot_be_made_is_cut_back_to_the_ones_that_can(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    client.force_login(instructor)
    response = client.get(f"/authoring/{SLUG}/preview/?mode=assessment&c=films&c=nonsense&c=crp")
    assert response.status_code == 302
    assert response["Location"] == f"/authoring/{SLUG}/preview/?mode=assessment&c=films"


def test_a_draft_that_does_not_validate_is_not_played_and_the_preview_says_why(
    client: Client, draft: models.CaseVersion, instructor: Any
) -> None:
    authoring.case_version_save(version=draft, text=draft.source.replace("start:", "stat:", 1))
    client.force_login(instructor)
    html = client.get(f"/authoring/{SLUG}/preview/").content.decode()
    assert "The case can be previewed once it is valid" in html
    assert 'class="decision"' not in html
