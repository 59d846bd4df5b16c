"""The rubric (version 2) on steps: when one is due, on time, late or missed,
what is not judged, and what its weight counts.

Pure tests: each row is an attempt written out by hand, decision by
decision (``D``), scored against the toy algorithm (tests/core/fixtures.py)
or a variant of it. Weights: radiograph 2 (essential), staging-imaging 1,
biopsy 3 (critical), culture 1, excision 1. Every coverage is worked in a
comment.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cases.schema import Algorithm, DecisionPoint, TakenAction
from scoring.rubric import Result, StepStatus, score

from .fixtures import ALGORITHM, CASE, with_step

ON = StepStatus.on_time
LATE = StepStatus.late
MISSED = StepStatus.missed

XRAY = "imaging.radiograph"
MRI = "imaging.mri"
US = "imaging.ultrasound"
CT = "imaging.ct"
BIOPSY = "pathology.biopsy"
CULTURE = "micro.tissue_culture"
EXCISION = "treatment.excision"
VITD = "lab.vitamin_d"
WAIT = "wait.continue_plan"
SUSPECTED = ("malignancy_suspected",)
INFECTED = ("infection_suspected",)


@dataclass(frozen=True)
class D:
    """One decision of a hand-written attempt."""

    took: tuple[str, ...]  # the actions chosen: together, or in this order if ranked
    offered: tuple[str, ...] = ()  # what else its options offered
    reveal: tuple[str, ...] = ()  # facts learned just before it was shown
    stage: str = "presentation"  # a stage of the toy case: its decision type counts
    ranked: bool = False  # put in order


def attempt(*decisions: D) -> tuple[list[DecisionPoint], list[TakenAction]]:
    """Decision points and taken actions as the engine would record them."""
    known: set[str] = set()
    points: list[DecisionPoint] = []
    taken: list[TakenAction] = []
    for index, d in enumerate(decisions):
        known |= set(d.reveal)
        offered = frozenset({*d.took, *d.offered})
        points.append(DecisionPoint(index, d.stage, frozenset(known), offered))
        for rank, action in enumerate(d.took):
            time = (index, rank if d.ranked else 0)
            taken.append(TakenAction(action, time, index, d.stage, f"o-{action}", frozenset(known)))
        known |= set(d.took)
    return points, taken


def run(alg: Algorithm, *decisions: D) -> Result:
    points, taken = attempt(*decisions)
    return score(alg, CASE, points, taken)


WITHIN_0 = with_step("radiograph", within=0)
OPTIONAL_CULTURE = with_step("culture", weight="optional")
CULTURE_4_5 = with_step("culture", weight=4.5)
STAGING_BEFORE_BIOPSY = with_step("staging-imaging", before=[BIOPSY])

# (id, algorithm, decisions, {step: (status, credit, due)}, coverage)
ROWS = [
    # Due at decision 0 and done there: 2/2 = 100.
    ("on time", ALGORITHM, [D((XRAY,))], {"radiograph": (ON, 1.0, 0)}, 100.0),
    # Radiograph: within 1. Due at 0, done at 1: 1 <= 0 + 1, on time: 100.
    ("on time, within the window", ALGORITHM, [D((VITD,), (XRAY,)), D((XRAY,), stage="no_films")], {"radiograph": (ON, 1.0, 0)}, 100.0),
    # The same with within 0: 1 > 0 + 0, late: 2 x 1/2 = 1 of 2 = 50.
    ("late: past the window", WITHIN_0, [D((VITD,), (XRAY,)), D((XRAY,), stage="no_films")], {"radiograph": (LATE, 0.5, 0)}, 50.0),
    # Within 1, done at 2: 2 > 0 + 1, late: 50.
    ("late: past a window of 1", ALGORITHM, [D((VITD,), (XRAY,)), D((WAIT,), (XRAY,), stage="no_films"), D((XRAY,), stage="no_films")], {"radiograph": (LATE, 0.5, 0)}, 50.0),
    # Radiograph: before MRI. Inside the window, but an MRI came first: late, 50.
    ("late: after a before action", ALGORITHM, [D((MRI,), (XRAY,)), D((XRAY,), stage="no_films")], {"radiograph": (LATE, 0.5, 0)}, 50.0),
    # Picked together, the MRI is not earlier: on time, 100.
    ("before: picked together is not earlier", ALGORITHM, [D((XRAY, MRI))], {"radiograph": (ON, 1.0, 0)}, 100.0),
    # Ranked after the MRI it is: late, 50.
    ("before: ranked after it is late", ALGORITHM, [D((MRI, XRAY), ranked=True)], {"radiograph": (LATE, 0.5, 0)}, 50.0),
    # Offered, never done: 0 of 2 = 0.
    ("missed", ALGORITHM, [D((VITD,), (XRAY,))], {"radiograph": (MISSED, 0.0, 0)}, 0.0),
    # Acceptable (3/4) and late (1/2): staging 1 x 3/8 = 0.375, biopsy 3 on time:
    # 3.375 / 4 = 84.375.
    ("acceptable and late", STAGING_BEFORE_BIOPSY, [D((BIOPSY, US), reveal=SUSPECTED, stage="sampling", ranked=True)], {"staging-imaging": (LATE, 0.375, 0), "biopsy": (ON, 1.0, 0)}, 84.375),
    # Culture applies (infection suspected) but no decision offered it: not judged, 100.
    ("not judged: never offered", ALGORITHM, [D((XRAY,), reveal=INFECTED)], {"radiograph": (ON, 1.0, 0)}, 100.0),
    # MRI offered, but staging-imaging never applied (no suspicion): not judged, 100.
    ("not judged: never applied", ALGORITHM, [D((XRAY,), (MRI,))], {"radiograph": (ON, 1.0, 0)}, 100.0),
    # A decision that offers only a low-value action (CT) does not make the step due: 100.
    ("not judged: offered only as low value", ALGORITHM, [D((CT,), reveal=(*SUSPECTED, XRAY), stage="films")], {}, 100.0),
    # A finding shows the films done before the step was due: not judged; no step: 100.
    ("not judged: a finding shows it done", ALGORITHM, [D((VITD,), (XRAY,), reveal=(XRAY,))], {}, 100.0),
    # The films the finding shows arrive after the step was due: still judged, missed: 0.
    ("judged: shown done only after it was due", ALGORITHM, [D((VITD,), (XRAY,)), D((WAIT,), (XRAY,), reveal=(XRAY,), stage="no_films")], {"radiograph": (MISSED, 0.0, 0)}, 0.0),
    # Optional culture done: counted, 1; radiograph missed, 2: 1 / 3 = 33.33.
    ("optional: credit when done", OPTIONAL_CULTURE, [D((CULTURE,), (XRAY,), reveal=INFECTED)], {"radiograph": (MISSED, 0.0, 0), "culture": (ON, 1.0, 0)}, 100 / 3),
    # Optional culture not done: not judged, nothing lost: 2 / 2 = 100.
    ("optional: nothing lost when not done", OPTIONAL_CULTURE, [D((XRAY,), (CULTURE,), reveal=INFECTED)], {"radiograph": (ON, 1.0, 0)}, 100.0),
    # Culture weighs 4.5 and is missed: 2 / (2 + 4.5) = 30.77.
    ("numeric weight", CULTURE_4_5, [D((XRAY,), (CULTURE,), reveal=INFECTED)], {"radiograph": (ON, 1.0, 0), "culture": (MISSED, 0.0, 0)}, 200 / 6.5),
    # MRI without films is harmful: it meets nothing, staging-imaging missed: 0.
    ("a harmful action never meets a step", ALGORITHM, [D((MRI,), reveal=SUSPECTED, stage="films")], {"staging-imaging": (MISSED, 0.0, 0)}, 0.0),
    # The premature ultrasound (decision 0) came before the step was due (1); the
    # CT at 1 is low value: missed. Radiograph 2 of 2 + staging 0 of 1: 66.67.
    ("only an action from the due decision on meets it", ALGORITHM, [D((XRAY, US)), D((CT,), (MRI,), reveal=SUSPECTED, stage="films")], {"radiograph": (ON, 1.0, 0), "staging-imaging": (MISSED, 0.0, 1)}, 200 / 3),
    # Excision comes after the biopsy: due at the decision after the biopsy. 4 / 4 = 100.
    ("after: due once the earlier step is done", ALGORITHM, [D((BIOPSY,), reveal=SUSPECTED, stage="films"), D((EXCISION,), stage="sampling")], {"biopsy": (ON, 1.0, 0), "excision": (ON, 1.0, 1)}, 100.0),
    # Both ranked in one put-in-order decision, biopsy first: both due there, 100.
    ("after: in one put-in-order decision", ALGORITHM, [D((BIOPSY, EXCISION), reveal=SUSPECTED, stage="sampling", ranked=True)], {"biopsy": (ON, 1.0, 0), "excision": (ON, 1.0, 0)}, 100.0),
    # Excision ranked first is harmful and meets nothing: excision missed: 3 / 4 = 75.
    ("after: ranked first, missed", ALGORITHM, [D((EXCISION, BIOPSY), reveal=SUSPECTED, stage="sampling", ranked=True)], {"biopsy": (ON, 1.0, 0), "excision": (MISSED, 0.0, 0)}, 75.0),
    # A pick-one decision offering both: excising there leaves the biopsy to do,
    # so the excision step is not yet due; the critical biopsy is missed: 0 / 3 = 0.
    ("after: not due while the earlier step is still to do", ALGORITHM, [D((EXCISION,), (BIOPSY,), reveal=SUSPECTED, stage="films")], {"biopsy": (MISSED, 0.0, 0)}, 0.0),
]  # fmt: skip


@pytest.mark.parametrize(
    ("alg", "decisions", "steps", "coverage"),
    [pytest.param(*row[1:], id=row[0]) for row in ROWS],
)
def test_step_statuses(
    alg: Algorithm,
    decisions: list[D],
    steps: dict[str, tuple[StepStatus, float, int]],
    coverage: float,
) -> None:
    result = run(alg, *decisions)
    assert {s.step: (s.verdict, s.credit, s.due) for s in result.steps} == steps
    assert result.coverage == pytest.approx(coverage)


def test_a_met_step_remembers_the_action_option_and_time_that_met_it() -> None:
    # Within 1 of decision 0: met at decision 1 by the option that took the films.
    result = run(ALGORITHM, D((VITD,), (XRAY,)), D((XRAY,), stage="no_films"))
    (step,) = result.steps
    assert (step.action, step.option, step.time, step.decision, step.due) == (
        XRAY,
        f"o-{XRAY}",
        (1, 0),
        1,
        0,
    )
    assert not step.by_alternative
    # A missed step has none of these.
    (missed,) = run(ALGORITHM, D((VITD,), (XRAY,))).steps
    assert (missed.action, missed.option, missed.time) == (None, None, None)


def test_a_missed_critical_step_is_a_critical_error() -> None:
    # Biopsy (critical, 3) offered and not done; MRI with films meets staging (1):
    # 1 / 4 = 25. No harm, yet one critical error: the missed step.
    result = run(ALGORITHM, D((MRI,), (BIOPSY,), reveal=(*SUSPECTED, XRAY), stage="films"))
    assert {s.step: s.verdict for s in result.steps} == {"staging-imaging": ON, "biopsy": MISSED}
    assert (result.coverage, result.score) == (25.0, 25)
    assert result.critical_errors == ()
    assert [s.step for s in result.missed_critical] == ["biopsy"]
    assert result.critical_count == 1
    # A missed step of another weight is not.
    essential = with_step("biopsy", weight="essential")
    plain = run(essential, D((MRI,), (BIOPSY,), reveal=(*SUSPECTED, XRAY), stage="films"))
    assert plain.critical_count == 0
    # Biopsy 2 of 2 + 1 = 1 / 3 = 33.33 -> 33.
    assert plain.score == 33


def test_weights_in_the_score() -> None:
    # Numeric 4.5 missed beside essential 2 met: 2 / 6.5 = 30.769... -> 31.
    result = run(CULTURE_4_5, D((XRAY,), (CULTURE,), reveal=INFECTED))
    assert result.score == 31
    assert result.steps[1].weight == 4.5
    # Optional culture met beside a missed essential radiograph: 1 / 3 = 33.33 -> 33.
    result = run(OPTIONAL_CULTURE, D((CULTURE,), (XRAY,), reveal=INFECTED))
    assert result.score == 33


def test_no_step_judged_means_full_coverage() -> None:
    # Vitamin D alone, nothing due: coverage 100; not indicated 3: 97.
    result = run(ALGORITHM, D((VITD,)))
    assert (result.steps, result.coverage, result.score) == ((), 100.0, 97)
