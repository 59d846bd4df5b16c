"""The resident's loop over HTTP: catalogue, start, choose, replay, debrief."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case
from scoring.models import Mode, Score, StepOutcome
from scoring.rubric import RUBRIC_VERSION
from simulator.models import Attempt, Choice
from tests.core.test_bundled_cases import REFERENCE_PATHS
from tests.simulator.helpers import choose, choose_path, start

SARCOMA = "calcified-deep-mass-sarcoma"
DIABETIC = "diabetic-ulcer-osteomyelitis"


def test_the_catalogue_lists_every_published_case_with_its_facts(client, resident, bundled) -> None:
    client.force_login(resident)
    page = client.get(reverse("simulator:catalogue")).content.decode()

    assert "11 cases" in page
    assert "Calcified" in page or "calcified" in page
    for label in ("Topic", "Difficulty", "about", "Approved", "Updated"):
        assert label in page


def test_the_catalogue_filters_by_difficulty_with_or_without_htmx(
    client, resident, bundled
) -> None:
    client.force_login(resident)
    advanced = {
        c.slug
        for c in Case.objects.filter(published__difficulty="advanced").select_related("published")
    }
    url = reverse("simulator:catalogue") + "?difficulty=advanced"

    plain = client.get(url).content.decode()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert "<html" in plain and "<html" not in fragment
    assert fragment.lstrip().startswith('<section id="results"')
    for slug in advanced:
        assert reverse("simulator:case", args=[slug]) in fragment
    shown = fragment.count('class="card"')
    assert shown == len(advanced)


def test_an_unknown_filter_value_shows_every_case_instead_of_failing(
    client, resident, bundled
) -> None:
    client.force_login(resident)
    response = client.get(reverse("simulator:catalogue") + "?difficulty=impossible")
    assert response.status_code == 200
    assert "11 cases" in response.content.decode()


def test_the_reference_path_over_plain_posts_ends_in_a_debrief_scoring_100(
    client, resident, bundled
) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.ASSESSMENT)
    for seq, picked in enumerate(REFERENCE_PATHS[SARCOMA].split(", ")):
        response = choose(client, attempt, seq, picked.split("+"))
        assert response.status_code == 302  # post/redirect/get: a reload never posts again

    attempt.refresh_from_db()
    assert attempt.finished
    score = Score.objects.get(attempt=attempt)
    assert (score.score, score.critical_errors, score.rubric_version) == (100, 0, RUBRIC_VERSION)
    assert StepOutcome.objects.filter(score=score, verdict="on_time").count() == len(
        score.result["steps"]
    )

    debrief = client.get(reverse("simulator:debrief", args=[attempt.pk])).content.decode()
    assert ">100<" in debrief
    assert "critical-title" not in debrief
    assert "pubmed.ncbi.nlm.nih.gov" in debrief


def test_practice_mode_explains_each_decision_with_citations(client, resident, bundled) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)

    page = choose(client, attempt, 0, ["excise"], htmx=True).content.decode()

    assert "Feedback on decision 1" in page
    assert "Harmful" in page and "critical" in page
    assert 'href="#ref-1"' in page and 'id="ref-1"' in page


def test_assessment_mode_gives_no_feedback_until_the_debrief(client, resident, bundled) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.ASSESSMENT)

    page = choose(client, attempt, 0, ["excise"], htmx=True).content.decode()

    assert "Feedback on decision" not in page
    assert "Harmful" not in page


def test_a_critical_error_leads_the_debrief(client, resident, bundled) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.ASSESSMENT)
    choose(client, attempt, 0, ["excise"])
    choose(client, attempt, 1, ["mdt"])

    debrief = client.get(reverse("simulator:debrief", args=[attempt.pk])).content.decode()

    assert debrief.index("critical-title") < debrief.index("Decision by decision")
    assert "Essential steps missed" in debrief


def test_a_replayed_post_records_nothing_and_shows_where_the_case_stands(
    client, resident, bundled
) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    choose(client, attempt, 0, ["xray"])

    again = choose(client, attempt, 0, ["xray"], htmx=True)
    other = choose(client, attempt, 0, ["excise"], htmx=True)  # a second tab, still on stage 1

    assert Choice.objects.filter(attempt=attempt).count() == 1
    assert "already recorded" in again.content.decode()
    assert "already recorded" in other.content.decode()
    assert Choice.objects.get(attempt=attempt).options == ["xray"]


def test_a_stale_plain_post_redirects_to_the_current_stage(client, resident, bundled) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    choose(client, attempt, 0, ["xray"])

    response = choose(client, attempt, 0, ["xray"], follow=True)

    assert response.redirect_chain[-1][0] == reverse("simulator:play", args=[attempt.pk])
    assert "already recorded" in response.content.decode()
    assert Choice.objects.filter(attempt=attempt).count() == 1


@pytest.mark.parametrize(
    ("picked", "message"),
    [
        (["nonsense"], "not an option"),
        ([], "Choose"),
    ],
)
def test_an_invalid_pick_one_gets_a_message_and_records_nothing(
    client, resident, bundled, picked, message
) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)

    response = choose(client, attempt, 0, picked)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Choice.objects.filter(attempt=attempt).exists()


def test_an_empty_pick_several_gets_a_message_and_records_nothing(
    client, resident, bundled
) -> None:
    client.force_login(resident)
    attempt = start(client, DIABETIC, Mode.PRACTICE)

    response = choose(client, attempt, 0, [], htmx=True)

    assert 'role="alert"' in response.content.decode()
    assert not Choice.objects.filter(attempt=attempt).exists()


def test_a_malformed_order_gets_a_message_keeps_the_input_and_records_nothing(
    client, resident, bundled
) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    for seq, picked in enumerate(["xray", "mri_contrast", "mdt"]):
        choose(client, attempt, seq, [picked])

    response = client.post(
        reverse("simulator:choose", args=[attempt.pk]),
        {"seq": "3", "rank-core_biopsy": "1", "rank-ct_chest": "1", "rank-wide_excision": "3"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "different position" in page
    assert '<option value="3" selected>' in page
    assert Choice.objects.filter(attempt=attempt).count() == 3


def test_an_order_posted_by_rank_is_played_in_that_order(client, resident, bundled) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    for seq, picked in enumerate(["xray", "mri_contrast", "mdt"]):
        choose(client, attempt, seq, [picked])

    client.post(
        reverse("simulator:choose", args=[attempt.pk]),
        {"seq": "3", "rank-core_biopsy": "2", "rank-ct_chest": "3", "rank-wide_excision": "1"},
    )

    assert Choice.objects.get(attempt=attempt, seq=3).options == [
        "wide_excision",
        "core_biopsy",
        "ct_chest",
    ]


def test_an_unfinished_attempt_resumes_where_it_stopped(client, resident, bundled) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    choose(client, attempt, 0, ["xray"])
    client.logout()
    client.force_login(resident)  # another device

    case_page = client.get(reverse("simulator:case", args=[SARCOMA])).content.decode()
    stage = client.get(reverse("simulator:play", args=[attempt.pk])).content.decode()

    assert "Resume your attempt" in case_page
    assert 'name="seq" value="1"' in stage


def test_the_debrief_of_an_unfinished_attempt_goes_back_to_the_player(
    client, resident, bundled
) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    response = client.get(reverse("simulator:debrief", args=[attempt.pk]))
    assert response.url == reverse("simulator:play", args=[attempt.pk])


@pytest.mark.parametrize("who", ["other_resident", "outsider", "instructor", "director"])
def test_someone_elses_attempt_is_not_found(client, resident, bundled, request, who) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    choose(client, attempt, 0, ["excise"])
    choose(client, attempt, 1, ["mdt"])
    client.force_login(request.getfixturevalue(who))

    for name in ("simulator:play", "simulator:debrief"):
        assert client.get(reverse(name, args=[attempt.pk])).status_code == 404
    assert (
        client.post(reverse("simulator:choose", args=[attempt.pk]), {"seq": 2}).status_code == 404
    )


def test_anonymous_visitors_are_sent_to_log_in(client, bundled) -> None:
    for url in (
        reverse("simulator:catalogue"),
        reverse("simulator:case", args=[SARCOMA]),
        reverse("simulator:play", args=[1]),
        reverse("simulator:history"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_case_of_another_program_is_not_found(client, resident, bundled, other_program) -> None:
    Case.objects.filter(slug=SARCOMA).update(program=other_program)
    client.force_login(resident)

    assert client.get(reverse("simulator:case", args=[SARCOMA])).status_code == 404
    assert client.post(reverse("simulator:start", args=[SARCOMA])).status_code == 404
    assert SARCOMA not in client.get(reverse("simulator:catalogue")).content.decode()


def test_a_case_with_no_published_version_is_not_found(client, resident, bundled) -> None:
    Case.objects.filter(slug=SARCOMA).update(published=None)
    client.force_login(resident)
    assert client.get(reverse("simulator:case", args=[SARCOMA])).status_code == 404


def test_a_resident_mid_attempt_keeps_the_version_they_started(client, resident, bundled) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)
    first = attempt.case_version
    case = Case.objects.get(slug=SARCOMA)
    newer = first.__class__.objects.create(
        case=case,
        number=first.number + 1,
        document={**first.document, "title": "Renamed"},
        content_hash="x" * 64,
        algorithm_version=first.algorithm_version,
        references=first.references,
        title="Renamed",
        presentation=first.presentation,
        difficulty=first.difficulty,
        minutes=first.minutes,
        status="published",
    )
    case.published = newer
    case.save()

    page = client.get(reverse("simulator:play", args=[attempt.pk])).content.decode()
    choose(client, attempt, 0, ["xray"])

    assert "Renamed" not in page
    assert Attempt.objects.get(pk=attempt.pk).case_version == first


def test_the_history_shows_scores_and_the_steps_most_often_missed(
    client, resident, bundled
) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.ASSESSMENT)
    choose(client, attempt, 0, ["excise"])
    choose(client, attempt, 1, ["mdt"])

    page = client.get(reverse("simulator:history")).content.decode()

    assert 'id="score-data"' in page
    assert "Plain radiographs" in page or "radiograph" in page.lower()
    assert reverse("simulator:case", args=[SARCOMA]) in page  # practise the missed steps here
    assert "Debrief" in page


def test_every_verdict_in_a_debrief_carries_a_citation(client, resident, bundled) -> None:
    client.force_login(resident)
    attempt = start(client, DIABETIC, Mode.ASSESSMENT)
    # A path with indicated, premature (referral before toe pressures) and harmful
    # (magnesium) actions.
    path = (
        "xray+ptb+crp_esr+metabolic+offload, refer_now, mri, bone_biopsy, "
        "targeted_abx+vascular+offload+glycaemic+followup+magnesium"
    )
    choose_path(client, attempt, path)

    page = client.get(reverse("simulator:debrief", args=[attempt.pk])).content.decode()

    verdicts = [chunk.split('"')[0] for chunk in page.split('class="verdict verdict--')[1:]]
    assert len(verdicts) >= 10
    assert set(verdicts) >= {"indicated", "premature", "harmful"}
    # Each verdict's reasons, once per decision, under the author's feedback: each cited.
    reasons = [chunk.split("</details>")[0] for chunk in page.split('class="review__why"')[1:]]
    assert len(reasons) >= 10
    for reason in reasons:
        assert 'class="cite"' in reason, reason
    table = page.split('id="steps-title"')[1].split("</tbody>")[0].split("<tbody>")[1]
    rows = table.split("</tr>")[:-1]
    assert len(rows) == 14
    for row in rows:
        assert 'class="cite"' in row, row


def test_watching_the_suspected_sarcoma_is_shown_harmful_in_the_debrief(
    client, resident, bundled
) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.ASSESSMENT)
    path = "xray, mri_contrast, watch, mdt"
    choose_path(client, attempt, path)

    assert Score.objects.get(attempt=attempt).score == 74
    debrief = client.get(reverse("simulator:debrief", args=[attempt.pk])).content.decode()
    decision = debrief.split("Decision 3:")[1].split("Decision 4:")[0]
    assert "Harmful · major" in decision
    assert "Repeat the same imaging in weeks or months" in decision
    assert "Done late" in debrief  # the sarcoma-team referral, one decision after it was due


def test_a_learner_never_follows_an_unconfirmed_identifier(client, resident, bundled) -> None:
    # idsa-dfi-2012's PMID and DOI were seen only in secondary sources: the learner's
    # reference list cites the work without them, and without the authors' evidence notes.
    client.force_login(resident)
    attempt = start(client, DIABETIC, Mode.ASSESSMENT)
    path = (
        "history_exam+xray+ptb+crp_esr+metabolic+offload+swab, ignore_swab, vascular_mri, "
        "bone_biopsy, targeted_abx+vascular+offload+glycaemic+followup"
    )
    choose_path(client, attempt, path)

    page = client.get(reverse("simulator:debrief", args=[attempt.pk])).content.decode()
    assert "2012 Infectious Diseases Society of America" in page or "2012 IDSA" in page
    assert "22619242" not in page and "cis346" not in page
    assert "PMID unconfirmed" not in page and "DOI unconfirmed" not in page
    assert 'class="reference__evidence"' not in page
    # A confirmed identifier is still a link.
    assert "37779323" in page


def test_the_player_names_the_case_in_its_h1_and_skips_to_the_decision(
    client, resident, bundled
) -> None:
    client.force_login(resident)
    attempt = start(client, SARCOMA, Mode.PRACTICE)

    page = client.get(reverse("simulator:play", args=[attempt.pk])).content.decode()

    assert page.count("<h1") == 1
    assert '<h1 class="player__case">A &quot;ganglion&quot; on the top of the foot' in page
    assert '<a class="skip-link" href="#decision">Skip to the decision</a>' in page
    assert page.index('id="decision"') < page.index('name="option"')


def test_the_catalogue_shows_each_cases_progress_with_the_best_score(
    client, resident, bundled
) -> None:
    client.force_login(resident)
    done = start(client, SARCOMA, Mode.PRACTICE)
    choose_path(client, done, REFERENCE_PATHS[SARCOMA])
    start(client, DIABETIC, Mode.PRACTICE)  # left unfinished

    page = client.get(reverse("simulator:catalogue")).content.decode()
    cards = {
        slug: page.split(f'href="/cases/{slug}/"')[1].split("</li>")[0]
        for slug in (SARCOMA, DIABETIC, "hot-first-mtp-joint")
    }

    assert "Done · best 100/100" in cards[SARCOMA]
    assert "In progress" in cards[DIABETIC] and "Done" not in cards[DIABETIC]
    assert "Not started" in cards["hot-first-mtp-joint"]


def test_home_offers_to_continue_the_attempt_left_unfinished(client, resident, bundled) -> None:
    client.force_login(resident)
    assert "Continue where you left off" not in client.get("/").content.decode()

    attempt = start(client, SARCOMA, Mode.PRACTICE)
    choose(client, attempt, 0, ["xray"])
    home = client.get("/").content.decode()

    assert "Continue where you left off" in home
    assert reverse("simulator:play", args=[attempt.pk]) in home
    assert "practice, started" in home
