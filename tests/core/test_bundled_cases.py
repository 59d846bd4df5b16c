"""The bundled cases, played through the pure engine and scored by the rubric.

Scores here are worked by hand from docs/scoring.md (rubric version 2); if one
changes, either the content or the rubric changed, and the change should be
deliberate.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.schema import Outcome, Severity
from scoring import rubric
from scoring.rubric import ActionStatus, StepStatus
from simulator import engine
from tests.core.bundled import bundled, case_and_algorithm, parse_path, shortest_prefix

# The path each case's author gives as the reference management (top of each file).
REFERENCE_PATHS = {
    "calcified-deep-mass-sarcoma": "xray, mri_contrast, mdt, core_biopsy+ct_chest+wide_excision",
    "calciphylaxis-on-dialysis": (
        "refer_same_day, history_skin+bloods+paracetamol+withhold, "
        "stop_calcium+phosphate+cinacalcet, refer_ptx"
    ),
    "diabetic-osteomyelitis-mri-contraindicated": (
        "hx_grade+ptb+xray+bloods, tbi+offload+glycaemic, wbc, biopsy, "
        "targeted_abx+offload+followup"
    ),
    "diabetic-ulcer-osteomyelitis": (
        "history_exam+xray+ptb+crp_esr+metabolic+offload, vascular_mri, bone_biopsy, "
        "targeted_abx+vascular+offload+glycaemic+followup"
    ),
    "hot-first-mtp-joint": "assess, aspirate+paracetamol, bone_profile+pth+iron, workup_refer, review",
    "myositis-ossificans-after-trauma": (
        "xray_bloods, reimage, rest_padding+paracetamol, graded_return+followup"
    ),
    "necrotising-diabetic-foot-infection": (
        "assess+iv_abx+insulin, surgery, tissue+abx, bone, tbi+glycaemic+metabolic, refer, "
        "targeted+offload+followup"
    ),
    "venous-malformation-phleboliths": (
        "xray, us_doppler, mri_contrast, paracetamol+reassure+followup"
    ),
    "dialysis-tumoral-calcinosis": (
        "work_up, nephrology+phosphate+calcium_load+hpt, paracetamol_footwear, followup"
    ),
    "insertional-achilles-calcification": "xray, us, floor_eccentric+heel_lift+load+followup, eswt",
    "post-injection-heel-calcification": "xray_bloods, us, heel_cup+paracetamol+followup, excise",
}


def play(slug: str, path: str):
    case, algorithm = case_and_algorithm(slug)
    state = engine.replay(case, parse_path(path))
    return case, state, rubric.score(algorithm, case, state.points, state.taken)


def test_there_are_eleven_bundled_cases_each_with_at_least_four_decisions() -> None:
    cases, _ = bundled()
    assert set(cases) == set(REFERENCE_PATHS)
    for slug, path in REFERENCE_PATHS.items():
        assert len(parse_path(path)) >= 4, slug


def test_the_bundled_cases_use_every_kind_of_decision() -> None:
    cases, _ = bundled()
    kinds = {
        stage.decision.type.value
        for case in cases.values()
        for stage in case.stages.values()
        if stage.decision
    }
    assert kinds == {"one", "several", "order"}


@pytest.mark.parametrize("slug", sorted(REFERENCE_PATHS))
def test_the_reference_path_scores_100_with_a_good_outcome(slug: str) -> None:
    case, state, result = play(slug, REFERENCE_PATHS[slug])

    assert state.finished
    assert case.stages[state.stage].outcome is Outcome.good
    assert result.score == 100
    assert result.critical_count == 0
    assert {s.verdict for s in result.steps} == {StepStatus.on_time}
    assert {a.verdict for a in result.actions} == {ActionStatus.indicated}


def test_watching_the_suspicious_mass_for_three_months_is_harmful_and_makes_referral_late() -> None:
    # "Repeat the MRI in three months" for a suspected sarcoma. Steps judged: history 2,
    # films 2, labs 1, MRI 2, MDT referral 2 (due at the watch decision, done one decision
    # later: late, 1 of 2); the grown tumour then goes straight to a bigger operation, so
    # biopsy, staging and surgery are never offered: 8 of 9 = 88.89; the delay is a major
    # harm (-15): 73.89 -> 74, and the case ends fair, not good.
    case, state, result = play("calcified-deep-mass-sarcoma", "xray, mri_contrast, watch, mdt")
    assert case.stages[state.stage].outcome is Outcome.fair
    (watch,) = [a for a in result.actions if a.option == "watch"]
    assert (watch.verdict, watch.harm, watch.severity) == (
        ActionStatus.harmful,
        "waiting-on-suspicious-mass",
        Severity.major,
    )
    steps = {s.step: s.verdict for s in result.steps}
    assert steps["sarcoma-mdt-referral"] is StepStatus.late
    assert result.penalties["harm"] == 15
    assert result.score == 74 < 100


def test_definitive_surgery_ranked_before_the_biopsy_is_harmful_and_premature_for_its_step() -> (
    None
):
    # Surgery ranked before the core biopsy it must follow: excision before a tissue
    # diagnosis (major, -15); it meets no step, and the surgery step, due at this
    # decision, is never met: 2 of 14 weight lost (85.71), -15 -> 70.71 -> 71.
    _, _, result = play(
        "calcified-deep-mass-sarcoma", "xray, mri_contrast, mdt, wide_excision+core_biopsy+ct_chest"
    )
    steps = {s.step: s.verdict for s in result.steps}
    assert steps["definitive-surgery-at-centre"] is StepStatus.missed
    assert result.penalties["harm"] == 15
    assert result.score == 71
    assert result.critical_count == 0


def test_excising_the_mass_as_a_ganglion_is_a_critical_error_whatever_follows() -> None:
    # Excision first: critical harm (-30) and nothing is met but the MDT referral.
    case, state, result = play("calcified-deep-mass-sarcoma", "excise, mdt")
    assert case.stages[state.stage].outcome is Outcome.poor
    assert result.score == 0
    assert [(e.harm, e.severity) for e in result.critical_errors] == [
        ("excision-before-sarcoma-mdt", Severity.critical)
    ]


def test_trusting_an_abi_in_calcified_arteries_is_a_major_harm_and_makes_toe_pressures_late() -> (
    None
):
    # Without the first visit's examination (which holds the toe pressures) the history
    # and the grading are missed (essential, 2 + 2); toe pressures, due at the ABI
    # decision and measured one decision later, are late (essential, 1 of 2):
    # 19 of 24 = 79.17; the ABI-only choice is a major harm (-15): 64.
    _, _, result = play(
        "diabetic-ulcer-osteomyelitis",
        "xray+ptb+crp_esr+metabolic+offload, abi, recheck, vascular_mri, bone_biopsy, "
        "targeted_abx+vascular+offload+glycaemic+followup",
    )
    steps = {s.step: s.verdict for s in result.steps}
    assert steps["vascular-assessment-tbi"] is StepStatus.late
    assert steps["targeted-history-exam"] is StepStatus.missed
    assert result.penalties["harm"] == 15
    assert result.score == 64


# (case, stage, option, harm, severity): every harmful option in the bundled
# cases, each checked against the algorithm's harm list by hand.
HARMFUL_OPTIONS = [
    ("calcified-deep-mass-sarcoma", "clinic", "excise", "excision-before-sarcoma-mdt", "critical"),
    ("calcified-deep-mass-sarcoma", "clinic", "mri_first", "mri-before-radiograph", "minor"),
    ("calcified-deep-mass-sarcoma", "mri_returned", "excise", "excision-before-sarcoma-mdt", "critical"),
    ("calcified-deep-mass-sarcoma", "xray_result", "pet", "nuclear-or-pet-first-for-mass", "minor"),
    ("calcified-deep-mass-sarcoma", "pet_result", "excise", "excision-before-sarcoma-mdt", "critical"),
    ("calcified-deep-mass-sarcoma", "us_result", "excise", "excision-before-sarcoma-mdt", "critical"),
    ("calcified-deep-mass-sarcoma", "mri_result", "local_core", "biopsy-before-sarcoma-mdt", "major"),
    ("calcified-deep-mass-sarcoma", "mri_result", "shell_out", "excision-before-sarcoma-mdt", "critical"),
    ("calcified-deep-mass-sarcoma", "mri_result", "watch", "waiting-on-suspicious-mass", "major"),
    ("calcified-deep-mass-sarcoma", "delayed", "excise", "excision-before-sarcoma-mdt", "critical"),
    ("calcified-deep-mass-sarcoma", "local_biopsy", "excise", "excision-before-sarcoma-mdt", "critical"),
    ("calcified-deep-mass-sarcoma", "unplanned_excision", "reexcise", "excision-before-sarcoma-mdt", "critical"),
    ("calcified-deep-mass-sarcoma", "mdt", "wide_excision", "excision-before-tissue-diagnosis", "major"),
    ("diabetic-ulcer-osteomyelitis", "clinic", "swab", "swab-instead-of-tissue", "major"),
    ("diabetic-ulcer-osteomyelitis", "clinic", "antibiotics", "antibiotics-uninfected-ulcer", "major"),
    ("diabetic-ulcer-osteomyelitis", "swab_result", "treat_swab", "antibiotics-uninfected-ulcer", "major"),
    ("diabetic-ulcer-osteomyelitis", "antibiotic_course", "continue", "antibiotics-uninfected-ulcer", "major"),
    ("diabetic-ulcer-osteomyelitis", "deterioration", "mri_first", "imaging-delays-surgery", "critical"),
    ("diabetic-ulcer-osteomyelitis", "results", "abi", "abi-alone-calcified-arteries", "major"),
    ("diabetic-ulcer-osteomyelitis", "missed_ischaemia", "carry_on", "waiting-with-ischaemia", "major"),
    ("diabetic-ulcer-osteomyelitis", "abi_result", "accept", "acting-on-abi-alone", "major"),
    ("diabetic-ulcer-osteomyelitis", "perfusion", "carry_on", "waiting-with-ischaemia", "major"),
    ("diabetic-ulcer-osteomyelitis", "results_perfusion", "mri_only", "waiting-with-ischaemia", "major"),
    ("diabetic-ulcer-osteomyelitis", "soft_tissue_result", "cover_all", "blind-antibiotics-before-bone-sample", "minor"),
    ("dialysis-tumoral-calcinosis", "biopsy_sinus", "excise", "early-excision-uraemic-calcinosis", "major"),
    ("insertional-achilles-calcification", "step_flare", "push_on", "step-loading-despite-flare", "minor"),
    ("post-injection-heel-calcification", "mri_first", "excise", "early-excision-dystrophic", "minor"),
    ("diabetic-ulcer-osteomyelitis", "perfusion", "wbc", "nuclear-instead-of-mri-osteomyelitis", "minor"),
    ("diabetic-ulcer-osteomyelitis", "mri_result", "deep_swab", "swab-instead-of-tissue", "major"),
    ("diabetic-ulcer-osteomyelitis", "biopsy_result", "magnesium", "magnesium-supplementation", "minor"),
    ("diabetic-ulcer-osteomyelitis", "biopsy_result", "abi_monitor", "abi-alone-calcified-arteries", "major"),
    ("dialysis-tumoral-calcinosis", "renal_foot_clinic", "mri_first", "mri-before-radiograph", "minor"),
    ("dialysis-tumoral-calcinosis", "results", "more_calcium_binder", "calcium-load-in-calcinosis", "major"),
    ("dialysis-tumoral-calcinosis", "results", "magnesium", "magnesium-in-ckd", "major"),
    ("dialysis-tumoral-calcinosis", "results", "excise", "early-excision-uraemic-calcinosis", "major"),
    ("dialysis-tumoral-calcinosis", "worse_mineral", "excise", "early-excision-uraemic-calcinosis", "major"),
    ("dialysis-tumoral-calcinosis", "pain_visit", "ibuprofen", "nsaid-in-ckd", "major"),
    ("dialysis-tumoral-calcinosis", "nsaid_harm", "lower_dose", "nsaid-in-ckd", "major"),
    ("dialysis-tumoral-calcinosis", "review", "excise", "early-excision-uraemic-calcinosis", "major"),
    ("insertional-achilles-calcification", "clinic", "steroid", "steroid-into-tendon", "major"),
    ("insertional-achilles-calcification", "clinic", "mri", "mri-before-radiograph", "minor"),
    ("insertional-achilles-calcification", "us_result", "magnesium", "magnesium-supplementation", "minor"),
    ("insertional-achilles-calcification", "twelve_weeks", "steroid", "steroid-into-tendon", "major"),
    ("post-injection-heel-calcification", "clinic", "inject_again", "steroid-reinjection", "major"),
    ("post-injection-heel-calcification", "clinic", "mri", "mri-before-radiograph", "minor"),
    ("post-injection-heel-calcification", "after_injection", "inject_more", "steroid-reinjection", "major"),
    ("post-injection-heel-calcification", "xray_result", "excise", "early-excision-dystrophic", "minor"),
    ("post-injection-heel-calcification", "mri_late", "excise", "early-excision-dystrophic", "minor"),
    ("post-injection-heel-calcification", "us_result", "reinject", "steroid-reinjection", "major"),
    ("post-injection-heel-calcification", "us_result", "magnesium", "magnesium-supplementation", "minor"),
    ("post-injection-heel-calcification", "reinjection", "reinject", "steroid-reinjection", "major"),
    ("post-injection-heel-calcification", "six_months", "reinject", "steroid-reinjection", "major"),
    ("dialysis-tumoral-calcinosis", "renal_foot_clinic", "excise_now", "foot-surgery-without-perfusion-check", "major"),
    ("dialysis-tumoral-calcinosis", "nsaid_harm", "switch", "waiting-on-severe-hyperkalaemia", "critical"),
    ("calciphylaxis-on-dialysis", "foot_clinic", "dressings_review", "waiting-on-suspected-calciphylaxis", "major"),
    ("calciphylaxis-on-dialysis", "foot_clinic", "debride", "wound-procedure-before-calciphylaxis-review", "major"),
    ("calciphylaxis-on-dialysis", "work_up", "nsaid", "nsaid-in-ckd", "major"),
    ("hot-first-mtp-joint", "assessment", "nsaid_short", "nsaid-with-raas-blockade-in-ckd", "major"),
    ("hot-first-mtp-joint", "assessment", "steroid", "hot-joint-treated-blind", "major"),
    ("hot-first-mtp-joint", "assessment", "antibiotics", "antibiotics-before-joint-aspiration", "minor"),
    ("hot-first-mtp-joint", "return", "more_nsaid", "regular-nsaid-in-ckd", "major"),
    ("necrotising-diabetic-foot-infection", "ed_disposition", "mri_morning", "imaging-delays-surgery", "critical"),
    ("necrotising-diabetic-foot-infection", "ed_disposition", "ward_round", "waiting-with-severe-infection", "critical"),
    ("necrotising-diabetic-foot-infection", "theatre", "swab", "swab-instead-of-tissue", "major"),
    ("myositis-ossificans-after-trauma", "films", "biopsy", "biopsy-myositis-ossificans", "minor"),
    ("myositis-ossificans-after-trauma", "early_mri", "repeat_mri", "waiting-on-suspicious-mass", "major"),
    ("diabetic-osteomyelitis-mri-contraindicated", "results", "mri_anyway", "mri-with-unsafe-implant", "major"),
    ("venous-malformation-phleboliths", "xray_result", "biopsy", "needle-biopsy-venous-malformation", "minor"),
    ("venous-malformation-phleboliths", "xray_result", "excise", "excision-venous-malformation", "major"),
]  # fmt: skip


@pytest.mark.parametrize(("slug", "stage", "option", "harm", "severity"), HARMFUL_OPTIONS)
def test_each_harmful_option_is_flagged_with_its_severity(
    slug: str, stage: str, option: str, harm: str, severity: str
) -> None:
    case, algorithm = case_and_algorithm(slug)
    prefix = shortest_prefix(case, stage)
    state = engine.replay(case, prefix)
    decision = case.stages[stage].decision
    # Put-in-order: the harmful option first, the rest as listed.
    choice = [option] + (
        [o.key for o in decision.options if o.key != option]
        if decision.type.value == "order"
        else []
    )
    after = engine.advance(case, state, choice)
    result = rubric.score(algorithm, case, after.points, after.taken)

    flagged = {
        (v.harm, v.severity.value)
        for v in result.actions
        if v.decision == len(prefix) and v.option == option and v.verdict is ActionStatus.harmful
    }
    assert (harm, severity) in flagged
    if severity == "critical":
        assert harm in {e.harm for e in result.critical_errors}


def test_every_harm_in_the_algorithm_is_reachable_in_some_case() -> None:
    _, algorithms = bundled()
    (algorithm,) = algorithms.values()
    reached = {harm for *_, harm, _ in HARMFUL_OPTIONS}
    # Each harm a resident can commit in the bundled cases, named in the table above.
    assert reached == {h.key for h in algorithm.harms}


@st.composite
def walks(draw):
    """A random complete path through a random bundled case."""
    slug = draw(st.sampled_from(sorted(REFERENCE_PATHS)))
    case, algorithm = case_and_algorithm(slug)
    state = engine.start(case)
    for _ in range(50):
        if state.finished:
            break
        decision = case.stages[state.stage].decision
        keys = [o.key for o in decision.options]
        if decision.type.value == "one":
            choice = [draw(st.sampled_from(keys))]
        elif decision.type.value == "order":
            choice = draw(st.permutations(keys))
        else:
            low = decision.min or 1
            high = decision.max or len(keys)
            choice = draw(st.lists(st.sampled_from(keys), min_size=low, max_size=high, unique=True))
        state = engine.advance(case, state, choice)
    return slug, case, algorithm, state


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(walks())
def test_every_walk_ends_in_range_and_never_beats_the_reference(walk) -> None:
    slug, case, algorithm, state = walk
    assert state.finished, f"{slug}: a walk of 50 decisions did not end"
    result = rubric.score(algorithm, case, state.points, state.taken)
    assert 0 <= result.score <= 100
    _, _, reference = play(slug, REFERENCE_PATHS[slug])
    assert result.score <= reference.score


def every_option_is_judged(case, algorithm, state) -> None:
    result = rubric.score(algorithm, case, state.points, state.taken)
    for index, point in enumerate(state.points):
        practice = rubric.judge_decision(algorithm, case, state.taken, index)
        debrief = tuple(a for a in result.actions if a.decision == index)
        assert practice == debrief, (point.stage, index)
        assert debrief, f"decision {index} at '{point.stage}' was not judged"


# Cases with more than 10,000 paths (pick-several decisions multiply them) are
# sampled by the random walks below instead; the explorer proves their keys exactly.
MANY_PATHS = {
    "calciphylaxis-on-dialysis",
    "diabetic-osteomyelitis-mri-contraindicated",
    "diabetic-ulcer-osteomyelitis",
    "hot-first-mtp-joint",
    "necrotising-diabetic-foot-infection",
}


@pytest.mark.parametrize("slug", sorted(set(REFERENCE_PATHS) - MANY_PATHS))
def test_on_every_path_practice_feedback_equals_the_debrief_and_every_choice_is_judged(
    slug: str,
) -> None:
    case, algorithm = case_and_algorithm(slug)
    paths = engine.all_paths(case, limit=10_000, per_decision=1000, budget=1_000_000)
    assert not paths.truncated
    for path in paths:
        every_option_is_judged(case, algorithm, path.state)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(walks())
def test_practice_equals_debrief_on_random_walks_of_every_case(walk) -> None:
    # The cases in MANY_PATHS are too many to walk in full: sampled here, as every case.
    _, case, algorithm, state = walk
    every_option_is_judged(case, algorithm, state)
