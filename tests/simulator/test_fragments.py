"""The player's stage is rendered once per (version, mode, choices), the
debrief once per (version, choices, stored result), and both reused; what
belongs to one resident never reaches another."""

from __future__ import annotations

import re
from typing import Any
from unittest.mock import patch

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.dateformat import format as date
from django.utils.timezone import localtime

from scoring.models import Mode, Score
from simulator import fragments
from simulator.accounts.models import Role
from tests.factories import MembershipFactory
from tests.simulator.helpers import choose, start

pytestmark = pytest.mark.django_db

SARCOMA = "calcified-deep-mass-sarcoma"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def without_tokens(html: str) -> str:
    """A page with its CSRF tokens blanked: Django masks them anew for every response."""
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1", html)


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    caches[fragments.CACHE].clear()


def renders() -> Any:
    """Counts the parts rendered (a cache miss renders them all), rendering them as usual."""
    return patch.object(fragments, "render_to_string", wraps=fragments.render_to_string)


def on_the_same_path(program: Any, resident: Any) -> dict[str, tuple[Any, str, Client]]:
    """rita, then sam, start the sarcoma case in practice and order films first."""
    sam = MembershipFactory(user__username="sam", program=program, role=Role.RESIDENT).user
    pages = {}
    for user in (resident, sam):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        client.get(reverse("simulator:case", args=[SARCOMA]))  # sets the CSRF cookie
        token = client.cookies["csrftoken"].value
        response = client.post(
            reverse("simulator:start", args=[SARCOMA]),
            {"mode": Mode.PRACTICE.value, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302
        attempt = user.attempts.get()
        page = client.get(reverse("simulator:play", args=[attempt.pk])).content.decode()
        client.post(
            reverse("simulator:choose", args=[attempt.pk]),
            {"seq": "0", "option": ["xray"], "csrfmiddlewaretoken": TOKEN.search(page).group(1)},
        )
        pages[user.get_username()] = (attempt, client)
    return pages


def test_two_residents_on_one_path_get_one_rendering_and_their_own_details(
    program: Any, resident: Any, bundled: None
) -> None:
    pages = on_the_same_path(program, resident)
    seen = {}
    with renders() as rendered:
        for name, (attempt, client) in pages.items():
            before = rendered.call_count
            html = client.get(reverse("simulator:play", args=[attempt.pk])).content.decode()
            seen[name] = (attempt, client, html, rendered.call_count - before)
    (rita, rita_client, rita_html, rita_renders) = seen["rita"]
    (sam, sam_client, sam_html, sam_renders) = seen["sam"]

    # The stage after the films: rendered for rita's page, reused for sam's.
    assert rita_renders == len(fragments.STAGE_PARTS)
    assert sam_renders == 0
    assert "Feedback on decision 1" in rita_html and "Feedback on decision 1" in sam_html

    # Each page names its own attempt, its own user and carries its own CSRF token.
    assert f"/attempts/{rita.pk}/choose/" in rita_html
    assert f"/attempts/{sam.pk}/" not in rita_html
    assert f"/attempts/{sam.pk}/choose/" in sam_html
    assert f"/attempts/{rita.pk}/" not in sam_html
    assert "Signed in as <strong>rita</strong>" in rita_html
    assert "Signed in as <strong>sam</strong>" in sam_html
    # Each token is accepted for its own session: sam's next decision posts with his.
    response = sam_client.post(
        reverse("simulator:choose", args=[sam.pk]),
        {"seq": "1", "option": ["mri_contrast"], "csrfmiddlewaretoken": TOKEN.search(sam_html)[1]},
    )
    assert response.status_code == 302
    assert sam.choices.count() == 2
    # and rita's token is refused in sam's session.
    stolen = sam_client.post(
        reverse("simulator:choose", args=[sam.pk]),
        {"seq": "2", "option": ["mdt"], "csrfmiddlewaretoken": TOKEN.search(rita_html)[1]},
    )
    assert stolen.status_code == 403


def test_a_new_path_renders_once_then_comes_from_the_cache(
    client: Client, resident: Any, bundled: None
) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.ASSESSMENT)
    url = reverse("simulator:play", args=[attempt.pk])
    with renders() as rendered:
        first = client.get(url).content.decode()
        assert rendered.call_count == len(fragments.STAGE_PARTS)
        again = client.get(url).content.decode()
        assert rendered.call_count == len(fragments.STAGE_PARTS)
    assert without_tokens(first) == without_tokens(again)
    # Another mode is another rendering: practice shows feedback, assessment never does.
    choose(client, attempt, 0, ["xray"])
    assert "Feedback on decision" not in client.get(url).content.decode()


def test_a_refused_choice_is_drawn_as_sent_and_never_cached(
    client: Client, resident: Any, bundled: None
) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    url = reverse("simulator:choose", args=[attempt.pk])
    with renders() as rendered:
        refused = client.post(url, {"seq": "0"}, headers={"HX-Request": "true"})
        assert rendered.call_count == len(fragments.STAGE_PARTS)
        client.post(url, {"seq": "0"}, headers={"HX-Request": "true"})
        assert rendered.call_count == 2 * len(fragments.STAGE_PARTS)  # rendered afresh each time
    assert 'aria-describedby="choice-error"' in refused.content.decode()
    # The plain page, without the error, is still drawn (and cached) without it.
    page = client.get(reverse("simulator:play", args=[attempt.pk])).content.decode()
    assert 'aria-describedby="choice-error"' not in page


def test_the_key_names_version_content_rubric_mode_and_choices() -> None:
    key = fragments.stage_key(7, "abc", "practice", [["xray"], ["mri", "us"]])
    assert key.startswith(f"stage:{fragments.revision()}:")
    assert ":7:abc:practice:" in key
    assert key != fragments.stage_key(7, "abc", "assessment", [["xray"], ["mri", "us"]])
    assert key != fragments.stage_key(7, "abd", "practice", [["xray"], ["mri", "us"]])
    assert key != fragments.stage_key(7, "abc", "practice", [["xray"], ["us", "mri"]])
    assert key != fragments.stage_key(8, "abc", "practice", [["xray"], ["mri", "us"]])


@override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        fragments.CACHE: {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "casepath_fragments",
        },
    }
)
def test_a_shared_database_cache_serves_the_same_stage(
    client: Client, resident: Any, bundled: None
) -> None:
    call_command("createcachetable", verbosity=0)
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    url = reverse("simulator:play", args=[attempt.pk])
    with renders() as rendered:
        first = client.get(url).content.decode()
        second = client.get(url).content.decode()
        assert rendered.call_count == len(fragments.STAGE_PARTS)
    assert without_tokens(first) == without_tokens(second)


SHORT_FINISH = [["excise"], ["mdt"]]


def test_the_debrief_is_rendered_once_for_everyone_who_reads_the_same(
    program: Any, resident: Any, director: Any, bundled: None
) -> None:
    """rita and sam finish the sarcoma case the same way: sam's debrief reuses
    rita's rendering, and so does their director reading rita's; each page
    still names its own attempt, finish time and reader."""
    sam = MembershipFactory(user__username="sam", program=program, role=Role.RESIDENT).user
    finished = {}
    for user in (resident, sam):
        client = Client()
        client.force_login(user)
        attempt = start(client, SARCOMA, Mode.PRACTICE)
        for seq, picked in enumerate(SHORT_FINISH):
            choose(client, attempt, seq, picked)
        finished[user.get_username()] = (attempt, client)
    (rita, rita_client), (sam_attempt, sam_client) = finished["rita"], finished["sam"]
    staff = Client()
    staff.force_login(director)
    with renders() as rendered:
        rita_page = rita_client.get(reverse("simulator:debrief", args=[rita.pk])).content.decode()
        assert rendered.call_count == len(fragments.DEBRIEF_PARTS)
        again = rita_client.get(reverse("simulator:debrief", args=[rita.pk])).content.decode()
        sam_url = reverse("simulator:debrief", args=[sam_attempt.pk])
        sam_page = sam_client.get(sam_url).content.decode()
        review_url = reverse("simulator:attempt_review", args=[rita.pk])
        review = staff.get(review_url).content.decode()
        assert rendered.call_count == len(fragments.DEBRIEF_PARTS)
    assert without_tokens(again) == without_tokens(rita_page)
    explained = "Decision by decision"
    assert explained in rita_page and explained in sam_page and explained in review
    # Each page is about its reader and its own attempt.
    assert "Signed in as <strong>sam</strong>" in sam_page and "rita" not in sam_page
    assert "Signed in as <strong>dara</strong>" in review
    assert "rita's attempt, read-only" in review
    sam_attempt.refresh_from_db()
    assert f"finished {date(localtime(sam_attempt.finished_at), 'j M Y, H:i')}" in sam_page
    assert "Play this case again" in sam_page and "Play this case again" not in review
    # The explanation itself is the same HTML on all three.
    body = rita_page[rita_page.index('<section class="scorecard"') : rita_page.index("</main>")]
    body = body[: body.rindex("Play this case again")]
    assert body.rsplit("<p", 1)[0] in sam_page
    assert body.rsplit("<p", 1)[0] in review


def test_a_different_stored_result_is_a_different_rendering(
    client: Client, resident: Any, bundled: None
) -> None:
    """A score stored differently (another rubric's, or a rescore that changed
    it) never shows the explanation rendered for the first."""
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    for seq, picked in enumerate(SHORT_FINISH):
        choose(client, attempt, seq, picked)
    url = reverse("simulator:debrief", args=[attempt.pk])
    first = client.get(url).content.decode()
    score = Score.objects.get(attempt=attempt)
    score.result = {**score.result, "score": 37}
    score.score = 37
    score.save(update_fields=["result", "score"])
    with renders() as rendered:
        second = client.get(url).content.decode()
        assert rendered.call_count == len(fragments.DEBRIEF_PARTS)
    assert '<span class="scorecard__number">37</span>' in second
    assert '<span class="scorecard__number">37</span>' not in first


def test_the_debrief_key_names_version_content_choices_and_result() -> None:
    key = fragments.debrief_key(7, "abc", [["xray"]], {"score": 80, "actions": []})
    assert key.startswith(f"debrief:{fragments.revision()}:")
    assert key == fragments.debrief_key(7, "abc", [["xray"]], {"actions": [], "score": 80})
    assert key != fragments.debrief_key(8, "abc", [["xray"]], {"score": 80, "actions": []})
    assert key != fragments.debrief_key(7, "abd", [["xray"]], {"score": 80, "actions": []})
    assert key != fragments.debrief_key(7, "abc", [["us"]], {"score": 80, "actions": []})
    assert key != fragments.debrief_key(7, "abc", [["xray"]], {"score": 81, "actions": []})
