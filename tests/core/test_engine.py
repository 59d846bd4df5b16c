"""The case engine on the toy case: states, choices, routes, invalid choices."""

from __future__ import annotations

import re

import pytest

from cases.schema import Case, DecisionPoint
from simulator.engine import (
    BrokenCase,
    InvalidChoice,
    State,
    advance,
    all_paths,
    possible_choices,
    replay,
    revealed_findings,
    start,
)

from .fixtures import CASE, CASE_YAML, FILMS_BROUGHT, PATHS, REFERENCE, load


def test_start_collects_patient_and_start_stage_facts() -> None:
    state = start(CASE)
    assert state == State(
        stage="presentation",
        facts=frozenset({"diabetes", "infection_suspected"}),
        visited=("presentation",),
        taken=(),
        points=(),
        decided=0,
        finished=False,
    )


def test_reference_path_state() -> None:
    state = replay(CASE, REFERENCE)
    assert state.finished
    assert state.stage == "good_end"
    assert state.visited == ("presentation", "films", "sampling", "good_end")
    assert state.decided == 3
    assert state.facts == {
        "diabetes",
        "infection_suspected",
        "malignancy_suspected",
        "imaging.radiograph",
        "imaging.mri",
        "pathology.biopsy",
        "micro.tissue_culture",
        "treatment.excision",
    }
    assert [(t.action, t.time, t.stage, t.option) for t in state.taken] == [
        ("imaging.radiograph", (0, 0), "presentation", "xray"),
        ("imaging.mri", (1, 0), "films", "mri"),
        ("pathology.biopsy", (2, 0), "sampling", "biopsy"),
        ("micro.tissue_culture", (2, 0), "sampling", "biopsy"),
        ("treatment.excision", (2, 1), "sampling", "excise"),
    ]


def test_taken_actions_record_facts_before_the_choice() -> None:
    state = replay(CASE, REFERENCE)
    by_action = {t.action: t for t in state.taken}
    # Both picks of one decision see the same facts: neither action's key.
    assert by_action["imaging.radiograph"].facts_before == {"diabetes", "infection_suspected"}
    # The films stage revealed malignancy_suspected before the MRI choice.
    assert "malignancy_suspected" in by_action["imaging.mri"].facts_before
    # Ranked second, excision still has facts_before from before the whole choice.
    assert "pathology.biopsy" not in by_action["treatment.excision"].facts_before


PATIENT = {"diabetes", "infection_suspected"}
PRESENTATION_OFFERS = {
    "imaging.radiograph",
    "imaging.mri",
    "imaging.ultrasound",
    "micro.swab_culture",
    "lab.vitamin_d",
}
FILMS_OFFER = {"imaging.mri", "imaging.ultrasound", "imaging.ct", "wait.watchful_waiting"}
SAMPLING_OFFERS = {"pathology.biopsy", "micro.tissue_culture", "treatment.excision"}


def test_one_decision_point_per_decision_with_what_was_known_and_offered() -> None:
    state = replay(CASE, REFERENCE)
    assert state.points == (
        DecisionPoint(0, "presentation", frozenset(PATIENT), frozenset(PRESENTATION_OFFERS)),
        DecisionPoint(
            1,
            "films",
            # The films stage revealed the suspicion before its decision was shown.
            frozenset({*PATIENT, "imaging.radiograph", "malignancy_suspected"}),
            frozenset(FILMS_OFFER),
        ),
        DecisionPoint(
            2,
            "sampling",
            frozenset({*PATIENT, "imaging.radiograph", "malignancy_suspected", "imaging.mri"}),
            # Every action its options perform, chosen or not.
            frozenset(SAMPLING_OFFERS),
        ),
    )
    # A point's known facts are exactly what the decision's actions saw before them.
    for taken in state.taken:
        assert taken.facts_before == state.points[taken.decision].known


def test_points_follow_the_path_taken() -> None:
    state = replay(CASE, PATHS["no_films"][0])
    assert [(p.index, p.stage) for p in state.points] == [
        (0, "presentation"),
        (1, "no_films"),
        (2, "films"),
        (3, "sampling"),
    ]
    assert state.points[1].offered == {"imaging.radiograph", "wait.continue_plan"}
    # Known at the no_films decision: the patient and the MRI just taken.
    assert state.points[1].known == {*PATIENT, "imaging.mri"}
    assert len(state.points) == state.decided == 4


def test_a_finding_that_shows_an_action_done_makes_it_a_fact() -> None:
    # The patient brings films: imaging.radiograph is known before any decision.
    state = start(FILMS_BROUGHT)
    assert state.facts == {*PATIENT, "imaging.radiograph"}
    # So routes see it: any first pick goes to the films stage.
    assert advance(FILMS_BROUGHT, state, ["vitd"]).stage == "films"
    # Known at the first decision, yet not taken by the learner.
    after = replay(FILMS_BROUGHT, [("mri",)])
    assert "imaging.radiograph" in after.points[0].known
    assert [t.action for t in after.taken] == ["imaging.mri"]


def test_a_stage_finding_shows_its_action_done_when_the_stage_is_entered() -> None:
    data = load(CASE_YAML)
    data["stages"]["films"]["findings"].append(
        {"kind": "pathology", "label": "Outside biopsy report", "done": ["pathology.biopsy"]}
    )
    case = Case.model_validate(data)
    assert "pathology.biopsy" not in start(case).facts
    entered = advance(case, start(case), ["xray"])
    assert "pathology.biopsy" in entered.facts
    assert "pathology.biopsy" not in entered.points[0].known  # shown after the first decision
    after = advance(case, entered, ["mri"])
    assert "pathology.biopsy" in after.points[1].known
    assert "pathology.biopsy" not in {t.action for t in after.taken}


def test_several_is_simultaneous() -> None:
    state = advance(CASE, start(CASE), ["swab", "xray"])
    assert [(t.action, t.time) for t in state.taken] == [
        ("micro.swab_culture", (0, 0)),
        ("imaging.radiograph", (0, 0)),
    ]


@pytest.mark.parametrize(
    ("first", "stage"),
    [
        (["xray"], "films"),
        (["xray", "vitd"], "films"),
        (["mri"], "no_films"),
        (["swab", "vitd"], "no_films"),
    ],
)
def test_routes_first_match_wins(first: list[str], stage: str) -> None:
    assert advance(CASE, start(CASE), first).stage == stage


def test_option_next_overrides_decision_next() -> None:
    state = replay(CASE, [("xray",), ("watch",)])
    assert state.stage == "poor_end"
    assert state.finished
    assert "sarcoma" in state.facts


def test_replay_equals_repeated_advance() -> None:
    state = start(CASE)
    for choice in PATHS["minor_harm"][0]:
        state = advance(CASE, state, choice)
    assert state == replay(CASE, PATHS["minor_harm"][0])


def _msg(text: str) -> str:
    return re.escape(text)


@pytest.mark.parametrize(
    ("path", "choice", "message"),
    [
        # finished attempt
        (REFERENCE, ["xray"], "This case is finished; no more choices can be made."),
        # unknown option
        (
            (),
            ["pet"],
            "'pet' is not an option at this stage. The options are “Plain radiographs”, “MRI”, “Ultrasound”, “Swab the skin” and “Vitamin D level”.",
        ),
        ((), ["ct", "pet"], "'ct' and 'pet' are not options at this stage."),
        # wrong count for pick-one
        ((("xray",),), [], "Pick exactly one option; you picked none."),
        ((("xray",),), ["mri", "ct"], "Pick exactly one option; you picked 2 options."),
        ((("xray",),), ["mri", "mri"], "Pick exactly one option; you picked 2 options."),
        # pick-several: empty, duplicate, outside min/max
        ((), [], "Pick at least one option."),
        (
            (),
            ["xray", "xray"],
            "“Plain radiographs” was picked more than once; pick each option once.",
        ),
        ((), ["xray", "mri", "vitd"], "Pick at most 2 options; you picked 3."),
        # put-in-order: missing, repeated, extra
        (
            (("xray",), ("mri",)),
            ["biopsy"],
            "The order leaves out “Excision”; place every option exactly once.",
        ),
        (
            (("xray",), ("mri",)),
            ["biopsy", "biopsy", "excise"],
            "“Core biopsy with deep culture” appears more than once in the order; place each option exactly once.",
        ),
        (
            (("xray",), ("mri",)),
            ["biopsy", "excise", "mri"],
            "'mri' is not an option at this stage.",
        ),
        (
            (("xray",), ("mri",)),
            [],
            "The order leaves out “Core biopsy with deep culture” and “Excision”",
        ),
    ],
)
def test_invalid_choices(
    path: tuple[tuple[str, ...], ...], choice: list[str], message: str
) -> None:
    state = replay(CASE, path)
    with pytest.raises(InvalidChoice, match=_msg(message)):
        advance(CASE, state, choice)


def test_several_minimum() -> None:
    data = load(CASE_YAML)
    data["stages"]["presentation"]["decision"]["min"] = 2
    case = Case.model_validate(data)
    with pytest.raises(InvalidChoice, match=_msg("Pick at least 2 options; you picked 1.")):
        advance(case, start(case), ["xray"])


def test_invalid_choice_leaves_state_usable() -> None:
    state = start(CASE)
    with pytest.raises(InvalidChoice):
        advance(CASE, state, ["nope"])
    assert advance(CASE, state, ["xray"]).stage == "films"


def test_a_bare_string_is_refused() -> None:
    with pytest.raises(TypeError):
        advance(CASE, start(CASE), "xray")


def test_broken_cases_raise_broken_case() -> None:
    data = load(CASE_YAML)
    data["stages"]["no_films"]["decision"]["next"] = "nowhere"
    broken = Case.model_validate(data)
    with pytest.raises(BrokenCase, match="no stage 'nowhere'"):
        replay(broken, [("mri",), ("proceed",)])

    data = load(CASE_YAML)
    del data["stages"]["no_films"]["decision"]["next"]
    broken = Case.model_validate(data)
    with pytest.raises(BrokenCase, match="does not say where"):
        replay(broken, [("mri",), ("proceed",)])

    data = load(CASE_YAML)
    data["stages"]["presentation"]["decision"]["next"] = [
        {"when": {"all": ["imaging.radiograph"]}, "stage": "films"}
    ]
    broken = Case.model_validate(data)
    with pytest.raises(BrokenCase, match="No route"):
        advance(broken, start(broken), ["mri"])


def test_revealed_findings_in_order_and_once() -> None:
    state = replay(CASE, REFERENCE)
    shown = [(stage, f.label) for stage, f in revealed_findings(CASE, state)]
    assert shown == [
        (None, "Type 2 diabetes"),
        (None, "Warm, red swelling"),
        (None, "Lump"),
        ("presentation", "Pulses"),
        ("films", "Aggressive features"),
    ]
    # A stage entered twice shows its findings once.
    twice = State(
        stage=state.stage,
        facts=state.facts,
        visited=("presentation", "films", "films"),
        taken=(),
        points=(),
        decided=2,
        finished=False,
    )
    assert [f.label for _, f in revealed_findings(CASE, twice)].count("Aggressive features") == 1


def test_offered_actions() -> None:
    assert CASE.offered_actions() == {
        "imaging.radiograph",
        "imaging.mri",
        "imaging.ultrasound",
        "imaging.ct",
        "micro.swab_culture",
        "micro.tissue_culture",
        "lab.vitamin_d",
        "pathology.biopsy",
        "treatment.excision",
        # Deliberate waiting is an action like any other.
        "wait.continue_plan",
        "wait.watchful_waiting",
    }


def test_possible_choices() -> None:
    presentation = CASE.stages["presentation"].decision
    sampling = CASE.stages["sampling"].decision
    assert presentation is not None and sampling is not None
    # 5 singletons + 10 pairs, within max 2.
    assert len(list(possible_choices(presentation))) == 15
    assert list(possible_choices(sampling)) == [("biopsy", "excise"), ("excise", "biopsy")]


def test_all_paths_enumerates_the_whole_toy_case() -> None:
    paths = all_paths(CASE)
    assert not paths.truncated
    # The 5 first picks with xray (alone or with one of 4 others) lead to
    # films; the 10 without lead to no_films (2 ways on) then films. From
    # films: 3 imaging options x 2 orders + watching = 7 endings.
    assert len(paths) == (5 + 10 * 2) * 7
    assert paths.paths[0].choices == REFERENCE
    assert all(p.state.finished for p in paths)
    assert len({p.choices for p in paths}) == len(paths)
    for path in paths:
        assert replay(CASE, path.choices) == path.state


def test_all_paths_caps() -> None:
    capped = all_paths(CASE, limit=3)
    assert len(capped) == 3 and capped.truncated
    assert all_paths(CASE, per_decision=2).truncated
    assert all_paths(CASE, budget=2).truncated


def test_all_paths_stops_cycles() -> None:
    data = load(CASE_YAML)
    # no_films can now loop on itself: "proceed" returns to no_films. The first
    # time it adds wait.continue_plan to the facts, a new state; the second time
    # nothing changes, so the loop must be cut there, not followed forever.
    data["stages"]["no_films"]["decision"]["options"][1]["next"] = "no_films"
    cyclic = Case.model_validate(data)
    paths = all_paths(cyclic)
    assert not paths.truncated
    assert all(p.state.finished for p in paths)
    assert max(p.choices.count(("proceed",)) for p in paths) == 1
