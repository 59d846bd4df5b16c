"""The rubric on hand-worked paths through the toy case, and on direct input."""

from __future__ import annotations

import json

import pytest

from cases.schema import Severity, TakenAction
from scoring.rubric import (
    NOT_INDICATED_RATIONALE,
    RUBRIC_VERSION,
    ActionStatus,
    Result,
    StepStatus,
    judge_choice,
    score,
)
from simulator.engine import advance, replay, start

from .fixtures import ALGORITHM, CASE, PATHS, algorithm, offering


def _result(name: str) -> Result:
    state = replay(CASE, PATHS[name][0])
    return score(ALGORITHM, CASE, state.taken, state.facts)


@pytest.mark.parametrize("name", sorted(PATHS))
def test_named_paths_score_as_worked_by_hand(name: str) -> None:
    result = _result(name)
    assert result.score == PATHS[name][1], result.to_dict()
    assert result.rubric_version == RUBRIC_VERSION


def test_reference_path_is_clean() -> None:
    result = _result("reference")
    assert result.coverage == 100.0
    assert result.penalties == {"out_of_order": 0, "not_indicated": 0, "harm": 0}
    assert [s.verdict for s in result.steps] == [StepStatus.met] * 5
    assert {a.verdict for a in result.actions} == {ActionStatus.indicated}
    assert result.critical_errors == ()


def _harmful(result: Result) -> dict[str, tuple[str | None, Severity | None]]:
    return {
        a.action: (a.harm, a.severity)
        for a in result.actions
        if a.verdict is ActionStatus.harmful and not a.repeat
    }


@pytest.mark.parametrize(
    ("name", "harmful"),
    [
        ("swab", {"micro.swab_culture": ("swab", Severity.major)}),
        ("mri_with_films", {"imaging.mri": ("mri-before-films", Severity.minor)}),
        ("mri_first", {"imaging.mri": ("mri-before-films", Severity.minor)}),
        (
            "excise_first",
            {"treatment.excision": ("excision-before-biopsy", Severity.critical)},
        ),
        (
            "excise_at_films",
            {"treatment.excision": ("excision-before-biopsy", Severity.critical)},
        ),
        ("reference", {}),
        ("alternative", {}),
    ],
)
def test_harmful_options_are_flagged_with_their_severity(
    name: str, harmful: dict[str, tuple[str, Severity]]
) -> None:
    result = _result(name)
    assert _harmful(result) == harmful
    critical = [a.action for a in result.critical_errors]
    assert critical == [k for k, (_, sev) in harmful.items() if sev is Severity.critical]


def test_unless_after_clears_the_harm_when_the_action_came_first() -> None:
    # Excision after biopsy (reference) is not harmful; MRI after films is not.
    result = _result("reference")
    verdicts = {a.action: a.verdict for a in result.actions}
    assert verdicts["treatment.excision"] is ActionStatus.indicated
    assert verdicts["imaging.mri"] is ActionStatus.indicated


def test_out_of_order_step() -> None:
    result = _result("excise_first")
    excision = next(s for s in result.steps if s.step == "excision")
    assert excision.verdict is StepStatus.met_out_of_order
    assert excision.credit == 1.0
    assert excision.should_follow == ("biopsy",)
    assert excision.time == (2, 0)
    assert result.penalties == {"out_of_order": 5, "not_indicated": 0, "harm": 30}
    assert result.critical_errors[0].citations == ("ref-biopsy",)


def test_alternative_gets_half_credit() -> None:
    result = _result("alternative")
    staging = next(s for s in result.steps if s.step == "staging-imaging")
    assert staging.verdict is StepStatus.met_alternative
    assert (staging.credit, staging.action, staging.by_alternative) == (
        0.5,
        "imaging.ultrasound",
        True,
    )
    assert result.coverage == 93.75
    ultrasound = next(a for a in result.actions if a.action == "imaging.ultrasound")
    assert (ultrasound.verdict, ultrasound.step) == (ActionStatus.indicated, "staging-imaging")


def test_not_indicated_action() -> None:
    result = _result("not_indicated")
    vitd = next(a for a in result.actions if a.action == "lab.vitamin_d")
    assert vitd.verdict is ActionStatus.not_indicated
    assert vitd.rationale == NOT_INDICATED_RATIONALE
    assert vitd.citations == ("ref-overview",)
    assert result.penalties["not_indicated"] == 2


def test_missed_steps() -> None:
    result = _result("excise_at_films")
    assert {s.step: s.verdict for s in result.steps} == {
        "radiograph": StepStatus.met,
        "staging-imaging": StepStatus.missed,
        "biopsy": StepStatus.missed,
        "culture": StepStatus.missed,
        # Its prerequisite was missed, so it cannot be out of order.
        "excision": StepStatus.met,
    }
    assert result.coverage == 37.5


def test_a_repeated_action_is_judged_on_what_was_known_then_and_counted_once() -> None:
    result = _result("mri_first")
    mris = [a for a in result.actions if a.action == "imaging.mri"]
    # The first MRI came before films; the repeat, after them, is what the reference does.
    assert [(a.time, a.verdict, a.repeat) for a in mris] == [
        ((0, 0), ActionStatus.harmful, False),
        ((2, 0), ActionStatus.indicated, True),
    ]
    assert result.penalties["harm"] == 5


def test_worked_example_in_docs() -> None:
    # docs/scoring.md works this path by hand; keep the two in step.
    result = _result("worked_example")
    assert {s.step: (s.verdict, s.credit) for s in result.steps} == {
        "radiograph": (StepStatus.met, 1.0),
        "staging-imaging": (StepStatus.met_alternative, 0.5),
        "biopsy": (StepStatus.met, 1.0),
        "culture": (StepStatus.met, 1.0),
        "excision": (StepStatus.met_out_of_order, 1.0),
    }
    assert [(a.action, a.time, a.verdict) for a in result.actions] == [
        ("imaging.radiograph", (0, 0), ActionStatus.indicated),
        ("lab.vitamin_d", (0, 0), ActionStatus.not_indicated),
        ("imaging.ultrasound", (1, 0), ActionStatus.indicated),
        ("treatment.excision", (2, 0), ActionStatus.harmful),
        ("pathology.biopsy", (2, 1), ActionStatus.indicated),
        ("micro.tissue_culture", (2, 1), ActionStatus.indicated),
    ]
    assert result.coverage == 93.75
    assert result.penalties == {"out_of_order": 5, "not_indicated": 2, "harm": 30}
    assert result.penalty_total == 37
    assert result.score == 57
    assert [a.harm for a in result.critical_errors] == ["excision-before-biopsy"]


def test_every_verdict_has_rationale_and_citations() -> None:
    for name in PATHS:
        result = _result(name)
        for verdict in (*result.steps, *result.actions):
            assert verdict.rationale
            assert verdict.citations


def _taken(action: str, time: tuple[int, int], facts: set[str]) -> TakenAction:
    return TakenAction(
        action=action,
        time=time,
        decision=time[0],
        stage="s",
        option="o",
        facts_before=frozenset(facts),
    )


def test_steps_apply_only_when_condition_holds_and_offered() -> None:
    taken = [_taken("imaging.radiograph", (0, 0), set())]
    # No infection, no malignancy: only the radiograph step applies.
    result = score(ALGORITHM, CASE, taken, frozenset({"imaging.radiograph"}))
    assert [s.step for s in result.steps] == ["radiograph"]
    assert result.score == 100
    # A step whose actions the case never offers does not count.
    result = score(ALGORITHM, offering("lab.vitamin_d"), [], frozenset())
    assert result.steps == ()
    assert result.coverage == 100.0


def test_indicated_under_facts_at_the_time() -> None:
    # A culture taken while infection was suspected stays indicated even if
    # the final facts no longer include the suspicion.
    taken = [_taken("micro.tissue_culture", (0, 0), {"infection_suspected"})]
    result = score(ALGORITHM, CASE, taken, frozenset({"micro.tissue_culture"}))
    assert result.actions[0].verdict is ActionStatus.indicated
    assert result.actions[0].step == "culture"


def test_harm_condition_uses_actions_ranked_earlier() -> None:
    # A made-up harm that needs an earlier action in its condition: an MRI
    # after a swab, within one put-in-order choice.
    data = ALGORITHM.model_dump(mode="json")
    data["harms"].append(
        {
            "key": "mri-after-swab",
            "title": "t",
            "actions": ["imaging.mri"],
            "when": {"all": ["micro.swab_culture"]},
            "severity": "major",
            "rationale": "r",
            "citations": ["ref-mri"],
        }
    )
    changed = algorithm(harms=data["harms"])
    base = {"imaging.radiograph"}
    swab_then_mri = [
        _taken("imaging.radiograph", (0, 0), set()),
        _taken("micro.swab_culture", (1, 0), base),
        _taken("imaging.mri", (1, 1), base),
    ]
    result = score(changed, CASE, swab_then_mri, frozenset())
    assert result.actions[-1].harm == "mri-after-swab"
    together = [*swab_then_mri[:2], _taken("imaging.mri", (1, 0), base)]
    result = score(changed, CASE, together, frozenset())
    # Picked together, the swab is not earlier than the MRI.
    assert result.actions[-1].harm is None


def test_most_severe_harm_wins() -> None:
    data = ALGORITHM.model_dump(mode="json")
    data["harms"].append(
        {
            "key": "mri-always-bad",
            "title": "t",
            "actions": ["imaging.mri"],
            "severity": "major",
            "rationale": "r",
            "citations": ["ref-mri"],
        }
    )
    changed = algorithm(harms=data["harms"])
    result = score(changed, CASE, [_taken("imaging.mri", (0, 0), set())], frozenset())
    assert (result.actions[0].harm, result.penalties["harm"]) == ("mri-always-bad", 15)


def test_score_is_clamped_at_zero() -> None:
    taken = [
        _taken("treatment.excision", (0, 0), {"malignancy_suspected"}),
        _taken("micro.swab_culture", (0, 0), {"malignancy_suspected", "infection_suspected"}),
        _taken("imaging.mri", (0, 0), {"malignancy_suspected"}),
    ]
    facts = frozenset({"malignancy_suspected", "infection_suspected"})
    result = score(ALGORITHM, CASE, taken, facts)
    assert result.penalties["harm"] == 50
    assert result.score == 0


def test_coverage_and_rounding() -> None:
    taken = [_taken("imaging.radiograph", (0, 0), set())]
    facts = frozenset({"malignancy_suspected"})
    # Applicable: radiograph (2), staging (1), excision (1); biopsy is not
    # offered and culture's condition fails: 2/4 = 50.
    offered = offering("imaging.radiograph", "imaging.mri", "treatment.excision")
    assert score(ALGORITHM, offered, taken, facts).score == 50
    # radiograph (2), staging (1), biopsy (2): 2/5 = 40, minus 2 for vitamin D.
    offered = offering("imaging.radiograph", "imaging.mri", "pathology.biopsy")
    vitd = [*taken, _taken("lab.vitamin_d", (0, 0), set())]
    assert score(ALGORITHM, offered, vitd, facts).score == 38
    # radiograph + alternative staging: 2.5/4 = 62.5, rounded half up to 63
    # (Python's round() would give 62).
    offered = offering("imaging.radiograph", "imaging.ultrasound", "treatment.excision")
    half = [*taken, _taken("imaging.ultrasound", (1, 0), facts)]
    assert score(ALGORITHM, offered, half, facts).coverage == 62.5
    assert score(ALGORITHM, offered, half, facts).score == 63


def test_result_round_trips_through_json() -> None:
    for name in PATHS:
        result = _result(name)
        stored = json.loads(json.dumps(result.to_dict()))
        assert Result.from_dict(stored, ALGORITHM) == result
    stored = _result("reference").to_dict()
    stored["rubric_version"] = 0
    assert Result.from_dict(stored, ALGORITHM).rubric_version == 0


def test_a_stored_result_keeps_verdicts_not_the_texts_the_algorithm_holds() -> None:
    stored = json.dumps(_result("worked_example").to_dict())
    for step in ALGORITHM.steps:
        assert step.rationale not in stored
    assert "rationale" not in stored and "citations" not in stored


def test_judge_choice_matches_the_final_verdicts() -> None:
    # Per-decision feedback uses the same rules as the final score.
    for name in PATHS:
        choices = PATHS[name][0]
        state = start(CASE)
        feedback = []
        for choice in choices:
            after = advance(CASE, state, choice)
            now = after.taken[len(state.taken) :]
            verdicts = judge_choice(ALGORITHM, CASE, now, state.taken, after.facts)
            assert [v.action for v in verdicts] == [t.action for t in now]
            feedback.extend(verdicts)
            state = after
        final = score(ALGORITHM, CASE, state.taken, state.facts).actions
        # The toy case reveals malignancy before any action that depends on it,
        # so feedback and final verdicts agree.
        assert [(v.action, v.verdict, v.harm) for v in feedback] == [
            (v.action, v.verdict, v.harm) for v in final
        ], name


def test_judge_choice_on_the_first_pick() -> None:
    state = start(CASE)
    after = advance(CASE, state, ["xray", "swab"])
    verdicts = judge_choice(ALGORITHM, CASE, after.taken, (), after.facts)
    assert [(v.action, v.verdict, v.severity) for v in verdicts] == [
        ("imaging.radiograph", ActionStatus.indicated, None),
        ("micro.swab_culture", ActionStatus.harmful, Severity.major),
    ]
