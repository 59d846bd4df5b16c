"""The rubric (version 2): action verdicts, explanations, the worked examples
of docs/scoring.md, and stored results.

Pure tests: documents from ``fixtures``; decisions and actions written out by
hand or replayed through the toy case. Step statuses (due, windows, weights,
what is not judged) are in test_rubric_windows.py. Every figure is worked in
a comment; "Example N" is the worked example of that number in docs/scoring.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import pytest

from cases.schema import Algorithm, Case, DecisionPoint, Severity, TakenAction, Time
from scoring.rubric import (
    NO_STEP_RATIONALE,
    RUBRIC_VERSION,
    ActionStatus,
    ActionVerdict,
    Result,
    StepStatus,
    judge_actions,
    score,
)
from simulator.engine import State, replay

from .fixtures import (
    ALGORITHM,
    ALGORITHM_YAML,
    CASE,
    FILMS_BROUGHT,
    FILMS_BROUGHT_PATH,
    FILMS_BROUGHT_SCORE,
    PATHS,
    algorithm,
    case_without_infection,
    load,
    with_harm,
)

IND = ActionStatus.indicated
ACC = ActionStatus.acceptable
LV = ActionStatus.low_value
PRE = ActionStatus.premature
NI = ActionStatus.not_indicated
HARM = ActionStatus.harmful
ON = StepStatus.on_time
LATE = StepStatus.late
MISSED = StepStatus.missed

MALIGNANT = frozenset({"malignancy_suspected", "imaging.radiograph"})  # at the films stage


def act(
    action: str,
    time: Time = (0, 0),
    known: Iterable[str] = (),
    stage: str = "presentation",
    option: str = "o",
) -> TakenAction:
    return TakenAction(
        action=action,
        time=time,
        decision=time[0],
        stage=stage,
        option=option,
        facts_before=frozenset(known),
    )


def judge_one(
    action: str,
    known: Iterable[str] = (),
    stage: str = "presentation",
    alg: Algorithm = ALGORITHM,
    case: Case = CASE,
) -> ActionVerdict:
    (verdict,) = judge_actions(alg, case, [act(action, known=known, stage=stage)])
    return verdict


def played(choices: Iterable[Iterable[str]], case: Case = CASE) -> tuple[State, Result]:
    state = replay(case, [tuple(c) for c in choices])
    return state, score(ALGORITHM, case, state.points, state.taken)


# --- one action, one verdict --------------------------------------------------------

NO_EXCISION_HARM = algorithm(
    harms=[h for h in load(ALGORITHM_YAML)["harms"] if h["key"] != "excision-before-biopsy"]
)

# (id, action, known, stage, algorithm, case, verdict, step, harm, severity)
ACTION_ROWS = [
    # Films at the first visit: the radiograph step applies (no condition).
    ("indicated", "imaging.radiograph", set(), "presentation", ALGORITHM, CASE, IND, "radiograph", None, None),
    # Ultrasound is staging-imaging's alternative, and the films showed a suspicious mass.
    ("acceptable", "imaging.ultrasound", MALIGNANT, "films", ALGORITHM, CASE, ACC, "staging-imaging", None, None),
    ("low value", "imaging.ct", MALIGNANT, "films", ALGORITHM, CASE, LV, "staging-imaging", None, None),
    # No suspicion yet, but the films stage (reachable) can reveal it.
    ("premature", "imaging.ultrasound", set(), "presentation", ALGORITHM, CASE, PRE, "staging-imaging", None, None),
    # Its step's condition holds, but it comes after the biopsy, offered here and not done yet.
    ("premature: its step waits for another", "treatment.excision", MALIGNANT, "sampling", NO_EXCISION_HARM, CASE, PRE, "excision", None, None),
    ("not indicated: listed by no step", "lab.vitamin_d", set(), "presentation", ALGORITHM, CASE, NI, None, None, None),
    ("not indicated: waiting is an action too", "wait.continue_plan", set(), "no_films", ALGORITHM, CASE, NI, None, None, None),
    # No stage of this case can reveal infection: the culture step never could apply.
    ("not indicated: its step can never apply here", "micro.tissue_culture", MALIGNANT, "sampling", ALGORITHM, case_without_infection(), NI, None, None, None),
    # Low value only where its step applies; before that, nothing calls for it.
    ("not indicated: low value before its step applies", "imaging.ct", set(), "presentation", ALGORITHM, CASE, NI, None, None, None),
    ("harmful, minor", "imaging.mri", set(), "presentation", ALGORITHM, CASE, HARM, None, "mri-before-films", Severity.minor),
    ("harmful, major", "micro.swab_culture", {"infection_suspected"}, "presentation", ALGORITHM, CASE, HARM, None, "swab", Severity.major),
    ("harmful, critical", "treatment.excision", MALIGNANT, "sampling", ALGORITHM, CASE, HARM, None, "excision-before-biopsy", Severity.critical),
    # Deliberate inaction is judged like any action.
    ("harmful: waiting", "wait.watchful_waiting", MALIGNANT, "films", ALGORITHM, CASE, HARM, None, "watching-suspected-tumour", Severity.major),
    # Staging imaging applies, but an MRI without films is harmful: harm comes first.
    ("harmful beats indicated", "imaging.mri", {"malignancy_suspected"}, "films", ALGORITHM, CASE, HARM, None, "mri-before-films", Severity.minor),
    # The swab harm needs infection_suspected; without it nothing lists a swab.
    ("not harmful when its when fails", "micro.swab_culture", set(), "presentation", ALGORITHM, CASE, NI, None, None, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "known", "stage", "alg", "case", "verdict", "step", "harm", "severity"),
    [pytest.param(*row[1:], id=row[0]) for row in ACTION_ROWS],
)
def test_action_verdicts(
    action: str,
    known: set[str],
    stage: str,
    alg: Algorithm,
    case: Case,
    verdict: ActionStatus,
    step: str | None,
    harm: str | None,
    severity: Severity | None,
) -> None:
    found = judge_one(action, known, stage, alg, case)
    assert (found.verdict, found.step, found.harm, found.severity) == (
        verdict,
        step,
        harm,
        severity,
    )


# Harms limited by what is known: ``after`` (harmful only once a fact is known)
# and ``unless_after`` (not harmful once a fact is known), over findings and actions.
MRI_AFTER_SWAB = with_harm(
    key="mri-after-swab", actions=["imaging.mri"], after=["micro.swab_culture"], severity="major"
)
VITD_UNLESS_LOW_CALCIUM = with_harm(
    key="vitd-unless-low-calcium",
    actions=["lab.vitamin_d"],
    unless_after=["low_calcium"],
    severity="minor",
)

# (id, algorithm, action, known, stage, harm or None, verdict)
HARM_LIMIT_ROWS = [
    # excision-before-biopsy: after [malignancy_suspected] (a finding).
    ("after a finding: not yet known", ALGORITHM, "treatment.excision", set(), "presentation", None, PRE),
    ("after a finding: known", ALGORITHM, "treatment.excision", MALIGNANT, "sampling", "excision-before-biopsy", HARM),
    # excision-before-biopsy: unless_after [pathology.biopsy] (an action); once the
    # biopsy is done the excision step applies too.
    ("unless after an action: done", ALGORITHM, "treatment.excision", MALIGNANT | {"pathology.biopsy"}, "sampling", None, IND),
    # mri-after-swab: after [micro.swab_culture] (an action).
    ("after an action: not done", MRI_AFTER_SWAB, "imaging.mri", MALIGNANT, "films", None, IND),
    ("after an action: done", MRI_AFTER_SWAB, "imaging.mri", MALIGNANT | {"micro.swab_culture"}, "films", "mri-after-swab", HARM),
    # vitd-unless-low-calcium: unless_after [low_calcium] (a finding).
    ("unless after a finding: not known", VITD_UNLESS_LOW_CALCIUM, "lab.vitamin_d", set(), "presentation", "vitd-unless-low-calcium", HARM),
    ("unless after a finding: known", VITD_UNLESS_LOW_CALCIUM, "lab.vitamin_d", {"low_calcium"}, "presentation", None, NI),
    # mri-before-films: unless_after [imaging.radiograph], known from films the patient brought.
    ("unless after an action a finding shows done", ALGORITHM, "imaging.mri", {"imaging.radiograph"}, "presentation", None, PRE),
]  # fmt: skip


@pytest.mark.parametrize(
    ("alg", "action", "known", "stage", "harm", "verdict"),
    [pytest.param(*row[1:], id=row[0]) for row in HARM_LIMIT_ROWS],
)
def test_harm_after_and_unless_after(
    alg: Algorithm,
    action: str,
    known: set[str],
    stage: str,
    harm: str | None,
    verdict: ActionStatus,
) -> None:
    found = judge_one(action, known, stage, alg)
    assert (found.harm, found.verdict) == (harm, verdict)


def test_the_most_severe_harm_wins() -> None:
    # MRI before films matches mri-before-films (minor) and this one (major).
    changed = with_harm(key="mri-always-bad", actions=["imaging.mri"], severity="major")
    found = judge_one("imaging.mri", alg=changed)
    assert (found.harm, found.severity) == ("mri-always-bad", Severity.major)


# --- no hindsight, ranks, repeats -------------------------------------------------------


def test_no_hindsight_a_premature_action_stays_premature() -> None:
    # Example 4: the ultrasound at the first visit is premature; the films then
    # reveal the suspicion that makes staging-imaging apply, and the verdict stays.
    state, result = played(PATHS["premature"][0])
    ultrasound = next(a for a in result.actions if a.action == "imaging.ultrasound")
    assert (ultrasound.time, ultrasound.verdict) == ((0, 0), PRE)
    assert "malignancy_suspected" in state.facts
    # It did not meet the step either: the MRI at decision 1 did.
    staging = next(s for s in result.steps if s.step == "staging-imaging")
    assert (staging.action, staging.decision) == ("imaging.mri", 1)


def test_no_hindsight_later_actions_change_no_earlier_verdict() -> None:
    for choices, _ in PATHS.values():
        taken = replay(CASE, choices).taken
        whole = judge_actions(ALGORITHM, CASE, taken)
        for cut in range(len(taken) + 1):
            assert judge_actions(ALGORITHM, CASE, taken[:cut]) == whole[:cut]


def test_the_same_action_is_judged_on_what_was_known_each_time() -> None:
    # Example 6: MRI before films is harmful; the MRI after them is indicated.
    _, result = played(PATHS["minor_harm"][0])
    mris = [(a.time, a.verdict, a.repeat) for a in result.actions if a.action == "imaging.mri"]
    assert mris == [((0, 0), HARM, False), ((2, 0), IND, True)]


def test_put_in_order_ranks_count_as_earlier() -> None:
    # Example 1: biopsy ranked first, so the excision ranked after it is indicated.
    _, ordered = played(PATHS["reference"][0])
    # Example 8: excision ranked first: the biopsy is not yet known, critical harm.
    _, reversed_ = played(PATHS["critical_harm"][0])
    excision = {
        name: next(a for a in r.actions if a.action == "treatment.excision")
        for name, r in (("ordered", ordered), ("reversed", reversed_))
    }
    assert (excision["ordered"].time, excision["ordered"].verdict) == ((2, 1), IND)
    assert (excision["reversed"].time, excision["reversed"].verdict) == ((2, 0), HARM)


def test_actions_picked_together_are_not_earlier_than_each_other() -> None:
    # Films and MRI in one pick-several: the films are not "after" the MRI...
    together = [act("imaging.radiograph"), act("imaging.mri")]
    assert [v.verdict for v in judge_actions(ALGORITHM, CASE, together)] == [IND, HARM]
    # ...but ranked first in a put-in-order they are.
    ranked = [act("imaging.radiograph", (0, 0)), act("imaging.mri", (0, 1))]
    # MRI with films known but no suspicion yet: premature.
    assert [v.verdict for v in judge_actions(ALGORITHM, CASE, ranked)] == [IND, PRE]


def test_repeats_are_marked_and_penalised_once() -> None:
    # Vitamin D twice: not indicated both times, 3 points once: 100 - 3 = 97.
    taken = [act("lab.vitamin_d", (0, 0)), act("lab.vitamin_d", (1, 0), {"lab.vitamin_d"})]
    result = score(ALGORITHM, CASE, [], taken)
    assert [(a.verdict, a.repeat) for a in result.actions] == [(NI, False), (NI, True)]
    assert (result.penalties["not_indicated"], result.score) == (3, 97)
    # Example 10: MRI harmful twice (minor), 5 points once.
    _, no_films = played(PATHS["no_films"][0])
    assert [a.repeat for a in no_films.actions if a.action == "imaging.mri"] == [False, True]
    assert no_films.penalties["harm"] == 5


def test_one_action_in_two_classes_is_penalised_in_each() -> None:
    # CT at the first visit: not indicated (3); CT at the films stage: low value
    # (2). Each class counts the action once: 3 + 2 = 5. No step judged (no
    # decision points given): coverage 100; 100 - 5 = 95.
    taken = [
        act("imaging.ct", (0, 0)),
        act("imaging.ct", (1, 0), {"imaging.ct", *MALIGNANT}, stage="films"),
    ]
    result = score(ALGORITHM, CASE, [], taken)
    assert [(a.verdict, a.repeat) for a in result.actions] == [(NI, False), (LV, True)]
    assert result.penalties == penalties(not_indicated=3, low_value=2)
    assert (result.coverage, result.score) == (100.0, 95)


# --- explanations -------------------------------------------------------------------------


def _own(action: str) -> tuple[str | None, tuple[str, ...]]:
    entry = ALGORITHM.actions[action]
    return entry.rationale, tuple(entry.citations)


def _step(key: str) -> tuple[str, tuple[str, ...]]:
    step = ALGORITHM.step(key)
    return step.rationale, tuple(step.citations)


def _harm(key: str) -> tuple[str, tuple[str, ...]]:
    harm = next(h for h in ALGORITHM.harms if h.key == key)
    return harm.rationale, tuple(harm.citations)


@pytest.mark.parametrize(
    ("action", "known", "stage", "expected"),
    [
        # Not indicated, premature, low value: the action's own reasons.
        pytest.param("lab.vitamin_d", set(), "presentation", _own("lab.vitamin_d"), id="not indicated"),
        pytest.param("imaging.ultrasound", set(), "presentation", _own("imaging.ultrasound"), id="premature"),
        pytest.param("imaging.ct", MALIGNANT, "films", _own("imaging.ct"), id="low value"),
        # Harmful: the harm's.
        pytest.param("micro.swab_culture", {"infection_suspected"}, "presentation", _harm("swab"), id="harmful"),
        # Indicated and acceptable: the step's.
        pytest.param("imaging.radiograph", set(), "presentation", _step("radiograph"), id="indicated"),
        pytest.param("imaging.ultrasound", MALIGNANT, "films", _step("staging-imaging"), id="acceptable"),
    ],
)  # fmt: skip
def test_each_verdict_explains_itself_with_its_own_sources(
    action: str, known: set[str], stage: str, expected: tuple[str, tuple[str, ...]]
) -> None:
    found = judge_one(action, known, stage)
    assert (found.rationale, found.citations) == expected
    assert found.citations != tuple(ALGORITHM.citations)


def test_without_reasons_of_its_own_an_action_borrows_its_steps_or_says_so() -> None:
    plain = algorithm(actions={k: {"label": v.label} for k, v in ALGORITHM.actions.items()})
    premature = judge_one("imaging.ultrasound", alg=plain)
    low_value = judge_one("imaging.ct", MALIGNANT, "films", alg=plain)
    not_indicated = judge_one("lab.vitamin_d", alg=plain)
    assert (premature.rationale, premature.citations) == _step("staging-imaging")
    assert (low_value.rationale, low_value.citations) == _step("staging-imaging")
    # Never the algorithm's whole citation list: a plain sentence and no sources.
    assert (not_indicated.rationale, not_indicated.citations) == (NO_STEP_RATIONALE, ())


def test_no_verdict_cites_the_algorithm_as_a_whole() -> None:
    for choices, _ in PATHS.values():
        _, result = played(choices)
        for verdict in (*result.steps, *result.actions):
            assert verdict.rationale
            assert verdict.citations
            assert "ref-overview" not in verdict.citations


# --- the worked examples in docs/scoring.md -----------------------------------------------


def penalties(premature: int = 0, not_indicated: int = 0, low_value: int = 0, harm: int = 0):
    return {
        "premature": premature,
        "not_indicated": not_indicated,
        "low_value": low_value,
        "harm": harm,
    }


@dataclass(frozen=True)
class Worked:
    example: int  # its number in docs/scoring.md
    steps: dict[str, tuple[StepStatus, float]]  # judged steps: status, credit
    actions: list[tuple[str, Time, ActionStatus]]
    coverage: float
    penalties: dict[str, int]
    score: int
    critical: list[str]  # harm keys of the critical errors


# Judged steps on a path through sampling weigh radiograph 2 + staging-imaging 1
# + biopsy 3 + culture 1 + excision 1 = 8.
ALL_ON_TIME = {
    "radiograph": (ON, 1.0),
    "staging-imaging": (ON, 1.0),
    "biopsy": (ON, 1.0),
    "culture": (ON, 1.0),
    "excision": (ON, 1.0),
}
PLAN = [
    ("pathology.biopsy", (2, 0), IND),
    ("micro.tissue_culture", (2, 0), IND),
    ("treatment.excision", (2, 1), IND),
]
LATER_PLAN = [(a, (3, rank), v) for a, (_, rank), v in PLAN]
WORKED = {
    # Example 1: 8 / 8 = 100, no penalty: 100.
    "reference": Worked(1, ALL_ON_TIME, [("imaging.radiograph", (0, 0), IND), ("imaging.mri", (1, 0), IND), *PLAN], 100.0, penalties(), 100, []),
    # Example 2: staging-imaging by the alternative, 1 x 3/4 = 0.75;
    # (2 + 0.75 + 3 + 1 + 1) / 8 = 7.75 / 8 = 96.875 -> 97.
    "acceptable": Worked(2, {**ALL_ON_TIME, "staging-imaging": (ON, 0.75)}, [("imaging.radiograph", (0, 0), IND), ("imaging.ultrasound", (1, 0), ACC), *PLAN], 96.875, penalties(), 97, []),
    # Example 3: CT meets nothing, staging-imaging missed: 7 / 8 = 87.5;
    # low value 2: 85.5 -> 86.
    "low_value": Worked(3, {**ALL_ON_TIME, "staging-imaging": (MISSED, 0.0)}, [("imaging.radiograph", (0, 0), IND), ("imaging.ct", (1, 0), LV), *PLAN], 87.5, penalties(low_value=2), 86, []),
    # Example 4: 8 / 8 = 100; premature 3: 97.
    "premature": Worked(4, ALL_ON_TIME, [("imaging.radiograph", (0, 0), IND), ("imaging.ultrasound", (0, 0), PRE), ("imaging.mri", (1, 0), IND), *PLAN], 100.0, penalties(premature=3), 97, []),
    # Example 5: films at decision 1, within 1 of decision 0: on time;
    # 8 / 8 = 100; not indicated 3: 97.
    "not_indicated": Worked(5, ALL_ON_TIME, [("lab.vitamin_d", (0, 0), NI), ("imaging.radiograph", (1, 0), IND), ("imaging.mri", (2, 0), IND), *LATER_PLAN], 100.0, penalties(not_indicated=3), 97, []),
    # Example 6: films late (the MRI came before them): 2 x 1/2 = 1;
    # (1 + 1 + 3 + 1 + 1) / 8 = 87.5; minor harm 5: 82.5 -> 83.
    "minor_harm": Worked(6, {**ALL_ON_TIME, "radiograph": (LATE, 0.5)}, [("imaging.mri", (0, 0), HARM), ("imaging.radiograph", (1, 0), IND), ("imaging.mri", (2, 0), IND), *LATER_PLAN], 87.5, penalties(harm=5), 83, []),
    # Example 7: 8 / 8 = 100; major harm 15: 85.
    "major_harm": Worked(7, ALL_ON_TIME, [("imaging.radiograph", (0, 0), IND), ("micro.swab_culture", (0, 0), HARM), ("imaging.mri", (1, 0), IND), *PLAN], 100.0, penalties(harm=15), 85, []),
    # Example 8: the harmful excision meets nothing, so the excision step is
    # missed; the biopsy ranked second is on time: 7 / 8 = 87.5;
    # critical harm 30: 57.5 -> 58.
    "critical_harm": Worked(8, {**ALL_ON_TIME, "excision": (MISSED, 0.0)}, [("imaging.radiograph", (0, 0), IND), ("imaging.mri", (1, 0), IND), ("treatment.excision", (2, 0), HARM), ("pathology.biopsy", (2, 1), IND), ("micro.tissue_culture", (2, 1), IND)], 87.5, penalties(harm=30), 58, ["excision-before-biopsy"]),
    # Example 9: radiograph 2 + staging-imaging 1 judged; biopsy, culture and
    # excision never offered: 2 / 3 = 66.67; major harm 15: 51.67 -> 52.
    "watch": Worked(9, {"radiograph": (ON, 1.0), "staging-imaging": (MISSED, 0.0)}, [("imaging.radiograph", (0, 0), IND), ("wait.watchful_waiting", (1, 0), HARM)], 200 / 3, penalties(harm=15), 52, []),
    # Example 10: (0 + 0 + 3 + 1 + 1) / 8 = 62.5; minor harm 5 (once) and not
    # indicated 3: 62.5 - 8 = 54.5 -> 55.
    "no_films": Worked(10, {**ALL_ON_TIME, "radiograph": (MISSED, 0.0), "staging-imaging": (MISSED, 0.0)}, [("imaging.mri", (0, 0), HARM), ("wait.continue_plan", (1, 0), NI), ("imaging.mri", (2, 0), HARM), *LATER_PLAN], 62.5, penalties(not_indicated=3, harm=5), 55, []),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(WORKED))
def test_worked_examples_in_the_docs(name: str) -> None:
    worked = WORKED[name]
    _, result = played(PATHS[name][0])
    assert {s.step: (s.verdict, s.credit) for s in result.steps} == worked.steps
    assert [(a.action, a.time, a.verdict) for a in result.actions] == worked.actions
    assert result.coverage == pytest.approx(worked.coverage)
    assert result.penalties == worked.penalties
    assert result.score == worked.score == PATHS[name][1]
    assert [a.harm for a in result.critical_errors] == worked.critical
    assert result.critical_count == len(worked.critical)
    assert result.rubric_version == RUBRIC_VERSION == 2


def test_worked_example_films_brought_to_the_visit() -> None:
    # Example 11: the GP's films are a finding that shows the radiograph done, so
    # the radiograph step is not judged, and MRI at the first visit is not
    # harmful (the films came first) but premature: nothing has yet raised the
    # suspicion it is for. Steps: staging-imaging 1 + biopsy 3 + culture 1 +
    # excision 1 = 6, all on time: 100; premature 3: 97.
    _, result = played(FILMS_BROUGHT_PATH, FILMS_BROUGHT)
    assert {s.step: s.verdict for s in result.steps} == {
        "staging-imaging": ON,
        "biopsy": ON,
        "culture": ON,
        "excision": ON,
    }
    assert [(a.action, a.time, a.verdict) for a in result.actions][:2] == [
        ("imaging.mri", (0, 0), PRE),
        ("imaging.mri", (1, 0), IND),
    ]
    assert result.coverage == 100.0
    assert result.penalties == penalties(premature=3)
    assert result.score == FILMS_BROUGHT_SCORE == 97


def test_each_met_step_remembers_the_option_that_met_it() -> None:
    # Example 1: films by "xray", MRI by "mri", biopsy and culture by the one
    # option "biopsy", excision by "excise", ranked after it.
    _, result = played(PATHS["reference"][0])
    assert {s.step: (s.action, s.option, s.due, s.time) for s in result.steps} == {
        "radiograph": ("imaging.radiograph", "xray", 0, (0, 0)),
        "staging-imaging": ("imaging.mri", "mri", 1, (1, 0)),
        "biopsy": ("pathology.biopsy", "biopsy", 2, (2, 0)),
        "culture": ("micro.tissue_culture", "biopsy", 2, (2, 0)),
        "excision": ("treatment.excision", "excise", 2, (2, 1)),
    }


def test_score_is_clamped_at_zero() -> None:
    # Excision critical (30), swab major (15), MRI before films minor (5),
    # vitamin D not indicated (3): 53 in penalties.
    taken = [
        act("treatment.excision", known={"malignancy_suspected"}, stage="films"),
        act("micro.swab_culture", known={"malignancy_suspected", "infection_suspected"}),
        act("imaging.mri", known={"malignancy_suspected"}, stage="films"),
        act("lab.vitamin_d"),
    ]
    # No decision points, no step judged: coverage 100; 100 - 53 = 47.
    result = score(ALGORITHM, CASE, [], taken)
    assert result.penalties == penalties(not_indicated=3, harm=50)
    assert result.score == 47
    # A decision that offered the biopsy with malignancy suspected: the critical
    # biopsy step is due and missed, the only step judged: coverage 0, and
    # 0 - 53 is clamped to 0. Two critical errors: the harm and the missed step.
    point = DecisionPoint(
        index=0,
        stage="films",
        known=frozenset({"malignancy_suspected", "infection_suspected"}),
        offered=frozenset({"pathology.biopsy", "treatment.excision"}),
    )
    result = score(ALGORITHM, CASE, [point], taken)
    assert [(s.step, s.verdict) for s in result.steps] == [("biopsy", MISSED)]
    assert (result.coverage, result.score, result.critical_count) == (0.0, 0, 2)


# --- stored results -------------------------------------------------------------------------


def test_a_v2_result_round_trips_through_json() -> None:
    results = [played(choices)[1] for choices, _ in PATHS.values()]
    results.append(played(FILMS_BROUGHT_PATH, FILMS_BROUGHT)[1])
    for result in results:
        stored = json.loads(json.dumps(result.to_dict()))
        assert stored["rubric_version"] == 2
        assert Result.from_dict(stored, ALGORITHM) == result


def test_a_stored_result_keeps_verdicts_not_the_texts_the_algorithm_holds() -> None:
    stored = json.dumps(played(PATHS["no_films"][0])[1].to_dict())
    for step in ALGORITHM.steps:
        assert step.rationale not in stored
    assert "rationale" not in stored and "citations" not in stored


# The v1 worked example (the old docs/scoring.md) as rubric v1 stored it:
# 93.75 - (5 out of order + 2 not indicated + 30 critical) = 56.75 -> 57.
V1_STORED = {
    "rubric_version": 1,
    "score": 57,
    "coverage": 93.75,
    "penalties": {"out_of_order": 5, "not_indicated": 2, "harm": 30},
    "penalty_total": 37,
    "steps": [
        {"step": "radiograph", "weight": "essential", "verdict": "met", "credit": 1.0, "by_alternative": False, "action": "imaging.radiograph", "time": [0, 0], "should_follow": []},
        {"step": "staging-imaging", "weight": "recommended", "verdict": "met_alternative", "credit": 0.5, "by_alternative": True, "action": "imaging.ultrasound", "time": [1, 0], "should_follow": []},
        {"step": "biopsy", "weight": "essential", "verdict": "met", "credit": 1.0, "by_alternative": False, "action": "pathology.biopsy", "time": [2, 1], "should_follow": []},
        {"step": "culture", "weight": "essential", "verdict": "met", "credit": 1.0, "by_alternative": False, "action": "micro.tissue_culture", "time": [2, 1], "should_follow": []},
        {"step": "excision", "weight": "recommended", "verdict": "met_out_of_order", "credit": 1.0, "by_alternative": False, "action": "treatment.excision", "time": [2, 0], "should_follow": ["biopsy"]},
    ],
    "actions": [
        {"action": "imaging.radiograph", "time": [0, 0], "decision": 0, "stage": "presentation", "option": "xray", "verdict": "indicated", "severity": None, "harm": None, "step": "radiograph", "repeat": False},
        {"action": "lab.vitamin_d", "time": [0, 0], "decision": 0, "stage": "presentation", "option": "vitd", "verdict": "not_indicated", "severity": None, "harm": None, "step": None, "repeat": False},
        {"action": "imaging.ultrasound", "time": [1, 0], "decision": 1, "stage": "films", "option": "us", "verdict": "indicated", "severity": None, "harm": None, "step": "staging-imaging", "repeat": False},
        {"action": "treatment.excision", "time": [2, 0], "decision": 2, "stage": "sampling", "option": "excise", "verdict": "harmful", "severity": "critical", "harm": "excision-before-biopsy", "step": None, "repeat": False},
        {"action": "pathology.biopsy", "time": [2, 1], "decision": 2, "stage": "sampling", "option": "biopsy", "verdict": "indicated", "severity": None, "harm": None, "step": "biopsy", "repeat": False},
        {"action": "micro.tissue_culture", "time": [2, 1], "decision": 2, "stage": "sampling", "option": "biopsy", "verdict": "indicated", "severity": None, "harm": None, "step": "culture", "repeat": False},
    ],
    "critical_errors": [
        {"action": "treatment.excision", "time": [2, 0], "decision": 2, "stage": "sampling", "option": "excise", "verdict": "harmful", "severity": "critical", "harm": "excision-before-biopsy", "step": None, "repeat": False},
    ],
}  # fmt: skip


def test_a_stored_v1_result_reads_as_it_was() -> None:
    # The frozen v1 algorithm version: actions had labels only.
    v1_algorithm = algorithm(actions={k: {"label": v.label} for k, v in ALGORITHM.actions.items()})
    result = Result.from_dict(json.loads(json.dumps(V1_STORED)), v1_algorithm)
    assert result.rubric_version == 1
    assert (result.score, result.coverage, result.penalty_total) == (57, 93.75, 37)
    assert result.penalties == {"out_of_order": 5, "not_indicated": 2, "harm": 30}
    assert [(s.step, s.verdict, s.credit) for s in result.steps] == [
        ("radiograph", StepStatus.met, 1.0),
        ("staging-imaging", StepStatus.met_alternative, 0.5),
        ("biopsy", StepStatus.met, 1.0),
        ("culture", StepStatus.met, 1.0),
        ("excision", StepStatus.met_out_of_order, 1.0),
    ]
    excision = result.steps[-1]
    assert (excision.should_follow, excision.due, excision.option) == (("biopsy",), None, None)
    assert [a.verdict for a in result.actions] == [IND, NI, IND, HARM, IND, IND]
    # Texts come from the frozen algorithm: the step's, the harm's, and for the
    # not-indicated action (no reasons of its own in v1) the plain sentence.
    assert (result.actions[0].rationale, result.actions[0].citations) == _step("radiograph")
    assert (result.actions[1].rationale, result.actions[1].citations) == (NO_STEP_RATIONALE, ())
    assert (result.actions[3].rationale, result.actions[3].citations) == _harm(
        "excision-before-biopsy"
    )
    assert [a.harm for a in result.critical_errors] == ["excision-before-biopsy"]
    # v1 steps had no critical weight: the one critical error is the harm.
    assert result.critical_count == 1
    # Stored again, it is the same v1 record.
    assert result.to_dict()["rubric_version"] == 1
    assert result.to_dict()["penalties"] == V1_STORED["penalties"]
