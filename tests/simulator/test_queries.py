"""Each learner page costs the same number of queries however big the case
or however many attempts the resident has made."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from simulator import documents
from simulator.models import Mode
from tests.simulator.helpers import choose, start

SARCOMA = "calcified-deep-mass-sarcoma"
LONG_PATH = ["xray", "mri_contrast", "mdt"]


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_stage_page_does_not_grow_with_the_decisions_made(client, resident, bundled) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    url = reverse("simulator:play", args=[attempt.pk])
    documents.clear()
    cold = queries(client, url)
    at_start = queries(client, url)
    for seq, picked in enumerate(LONG_PATH):
        choose(client, attempt, seq, [picked])

    assert queries(client, url) == at_start
    # Session, user, the user's roles for the navigation, the attempt with its
    # frozen case and algorithm, and its choices.
    assert at_start == 5
    # The first page of a case version in a worker process also loads its documents.
    assert cold == at_start + 1


def test_the_catalogue_does_not_grow_with_the_number_of_cases(client, resident, bundled) -> None:
    client.force_login(resident)
    url = reverse("simulator:catalogue")
    five = queries(client, url)
    for case in Case.objects.select_related("published"):
        copy = Case.objects.create(slug=f"{case.slug}-copy", published=case.published)
        assert copy.published

    assert "10 cases" in client.get(url).content.decode()
    assert queries(client, url) == five


def test_the_history_does_not_grow_with_the_number_of_attempts(client, resident, bundled) -> None:
    client.force_login(resident)
    url = reverse("scoring:history")

    def play_once() -> None:
        attempt = start(client, SARCOMA, Mode.ASSESSMENT)
        choose(client, attempt, 0, ["excise"])
        choose(client, attempt, 1, ["mdt"])

    play_once()
    one = queries(client, url)
    for _ in range(4):
        play_once()
    start(client, SARCOMA, Mode.PRACTICE)  # and one unfinished

    assert queries(client, url) == one


def test_the_debrief_does_not_grow_with_the_length_of_the_path(client, resident, bundled) -> None:
    client.force_login(resident)
    short = start(client, SARCOMA, Mode.ASSESSMENT)
    choose(client, short, 0, ["excise"])
    choose(client, short, 1, ["mdt"])
    long = start(client, SARCOMA, Mode.ASSESSMENT)
    for seq, picked in enumerate([*LONG_PATH, "core_biopsy+ct_chest+wide_excision"]):
        choose(client, long, seq, picked.split("+"))

    assert queries(client, reverse("scoring:debrief", args=[long.pk])) == queries(
        client, reverse("scoring:debrief", args=[short.pk])
    )
