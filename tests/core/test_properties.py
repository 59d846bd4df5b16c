"""Properties of the rubric over every path through the toy case, random and exhaustive."""

from __future__ import annotations

from functools import cache

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cases.schema import TakenAction
from scoring.rubric import ActionStatus, judge_actions, judge_decision, score
from simulator.engine import Path, advance, all_paths, possible_choices, replay, start

from .fixtures import ALGORITHM, CASE, REFERENCE

# Small and database-free, so the core suite stays around a second and leaves
# no .hypothesis directory behind.
FAST = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# A path cannot be longer than the number of stages in an acyclic case.
MAX_DECISIONS = len(CASE.stages)

_REFERENCE = replay(CASE, REFERENCE)
REFERENCE_SCORE = score(ALGORITHM, CASE, _REFERENCE.points, _REFERENCE.taken).score

# Actions the toy algorithm can judge harmful: a swab with infection suspected
# (always, in this case), an MRI before films, an excision of a suspected
# tumour before a biopsy.
HARMFUL = ("micro.swab_culture", "imaging.mri", "treatment.excision")


@cache
def paths() -> tuple[Path, ...]:
    found = all_paths(CASE)
    assert not found.truncated
    return found.paths


def _score(path: Path):
    return score(ALGORITHM, CASE, path.state.points, path.state.taken)


@FAST
@given(st.data())
def test_random_walks_end_in_a_terminal_stage_score_in_range_and_replay_alike(
    data: st.DataObject,
) -> None:
    state = start(CASE)
    choices = []
    for _ in range(MAX_DECISIONS):
        if state.finished:
            break
        decision = CASE.stages[state.stage].decision
        assert decision is not None
        choice = data.draw(st.sampled_from(list(possible_choices(decision))))
        # A pick-several is order-blind: any order of the same set behaves alike.
        if decision.type == "several":
            choice = tuple(data.draw(st.permutations(choice)))
        choices.append(choice)
        state = advance(CASE, state, choice)
    assert state.finished
    result = score(ALGORITHM, CASE, state.points, state.taken)
    assert 0 <= result.score <= 100
    assert 0.0 <= result.coverage <= 100.0
    assert result.score <= REFERENCE_SCORE
    # The same choices replayed give the same verdicts, step by step and action by action.
    again = replay(CASE, choices)
    assert score(ALGORITHM, CASE, again.points, again.taken) == result


def test_every_path_is_complete_in_range_and_none_outscores_the_reference() -> None:
    scores = {}
    for path in paths():
        assert path.state.finished
        assert CASE.stages[path.state.stage].outcome is not None
        result = _score(path)
        assert 0 <= result.score <= 100
        assert 0.0 <= result.coverage <= 100.0
        scores[path.choices] = result.score
    assert REFERENCE_SCORE == 100
    assert max(scores.values()) == REFERENCE_SCORE


def test_practice_feedback_equals_the_debrief_on_every_path() -> None:
    # What practice mode shows after decision d is what the debrief shows for d.
    for path in paths():
        state = path.state
        debrief = score(ALGORITHM, CASE, state.points, state.taken).actions
        for point in state.points:
            shown = judge_decision(ALGORITHM, CASE, state.taken, point.index)
            assert shown == tuple(v for v in debrief if v.decision == point.index), path.choices


def test_no_verdict_changes_with_what_came_later_on_every_path() -> None:
    for path in paths():
        taken = path.state.taken
        whole = judge_actions(ALGORITHM, CASE, taken)
        for point in path.state.points:
            before = [t for t in taken if t.decision <= point.index]
            assert judge_actions(ALGORITHM, CASE, before) == whole[: len(before)]


@FAST
@given(
    which=st.integers(min_value=0),
    at=st.integers(min_value=0),
    action=st.sampled_from(HARMFUL),
    last=st.booleans(),
)
def test_adding_a_harmful_action_never_raises_the_score(
    which: int, at: int, action: str, last: bool
) -> None:
    path = paths()[which % len(paths())]
    points, taken = path.state.points, path.state.taken
    point = points[at % len(points)]
    # With the decision's picks (position 0) or ranked after all of them.
    ranks = [t.time[1] for t in taken if t.decision == point.index]
    position = max(ranks) + 1 if last else 0
    added = TakenAction(
        action=action,
        time=(point.index, position),
        decision=point.index,
        stage=point.stage,
        option="added",
        facts_before=point.known,
    )
    worse = score(ALGORITHM, CASE, points, [*taken, added])
    verdict = next(v for v in worse.actions if v.option == "added")
    assume(verdict.verdict is ActionStatus.harmful)
    assert worse.score <= _score(path).score
