"""Each learner page costs the same number of queries however big the case
or however many attempts the resident has made."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from scoring.models import Mode
from simulator import documents
from tests.simulator.helpers import choose, start

SARCOMA = "calcified-deep-mass-sarcoma"
LONG_PATH = ["xray", "mri_contrast", "mdt"]
# The shortest and the longest way to an outcome (2 and 7 decisions).
SHORT_FINISH = [["excise"], ["mdt"]]
LONG_FINISH = [
    ["mri_first"],
    ["xray_now"],
    ["us"],
    ["mri_contrast"],
    ["watch"],
    ["excise"],
    ["reexcise"],
]


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

    assert "22 cases" in client.get(url).content.decode()
    assert queries(client, url) == five


def test_the_history_does_not_grow_with_the_number_of_attempts(client, resident, bundled) -> None:
    client.force_login(resident)
    url = reverse("simulator:history")

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

    assert queries(client, reverse("simulator:debrief", args=[long.pk])) == queries(
        client, reverse("simulator:debrief", args=[short.pk])
    )


def statements(client, url: str, data: dict) -> int:
    """SQL statements one htmx POST runs, leaving out transaction markers
    (the test's savepoints stand where a deployment's BEGIN and COMMIT are)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return sum(
        1 for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    )


def test_a_choice_runs_a_fixed_number_of_statements(client, resident, bundled) -> None:
    """Session, user, the attempt with its frozen documents, (on PostgreSQL the
    lock,) its choices, the insert: nothing is read or judged again after the
    write, and the count does not grow with the decisions already made."""
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    url = reverse("simulator:choose", args=[attempt.pk])
    # The page first, as a resident sees it: a worker parses a version's documents once.
    queries(client, reverse("simulator:play", args=[attempt.pk]))
    lock = 1 if connection.features.has_select_for_update else 0
    counts = [
        statements(client, url, {"seq": str(seq), "option": [picked]})
        for seq, picked in enumerate(LONG_PATH)
    ]
    assert counts == [5 + lock] * len(LONG_PATH)


def test_the_last_choice_scores_in_a_fixed_number_of_statements(client, resident, bundled) -> None:
    """The choice that reaches an outcome also writes the score, who counts
    it (two reads, one insert), its step and decision rows and the xAPI
    statements, each in one bulk statement, however long the path was, and
    its share of the program pages' summaries: one upsert per summary table
    it touches (scoring.summaries; four here: scores, harms, decisions, picks)."""
    client.force_login(resident)
    counts = []
    for path in (SHORT_FINISH, LONG_FINISH):
        attempt = start(client, SARCOMA, Mode.PRACTICE)
        url = reverse("simulator:choose", args=[attempt.pk])
        for seq, picked in enumerate(path[:-1]):
            choose(client, attempt, seq, picked)
        last = len(path) - 1
        counts.append(statements(client, url, {"seq": str(last), "option": path[-1]}))
        attempt.refresh_from_db()
        assert attempt.finished
    assert counts[0] == counts[1] == 20 + (1 if connection.features.has_select_for_update else 0), (
        counts
    )


def test_a_residents_debrief_read_by_staff_costs_what_their_own_does(
    client, resident, director, bundled
) -> None:
    """The staff's right to the attempt is settled by reading its score (with
    its resident), the query the debrief makes anyway; the rest is the debrief
    the resident sees, however long the path."""
    client.force_login(resident)
    attempts = []
    for path in (SHORT_FINISH, LONG_FINISH):
        attempt = start(client, SARCOMA, Mode.ASSESSMENT)
        for seq, picked in enumerate(path):
            choose(client, attempt, seq, picked)
        attempts.append(attempt)
    own = queries(client, reverse("simulator:debrief", args=[attempts[0].pk]))
    client.force_login(director)
    read = [queries(client, reverse("simulator:attempt_review", args=[a.pk])) for a in attempts]
    assert read == [own, own]
