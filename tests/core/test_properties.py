"""Properties over every path through the toy case, random and exhaustive."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.rubric import score
from simulator.engine import advance, all_paths, possible_choices, replay, start

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
REFERENCE_SCORE = score(ALGORITHM, CASE, _REFERENCE.taken, _REFERENCE.facts).score


@FAST
@given(st.data())
def test_random_walks_end_in_a_terminal_stage_and_score_in_range(data: st.DataObject) -> None:
    state = start(CASE)
    for _ in range(MAX_DECISIONS):
        if state.finished:
            break
        decision = CASE.stages[state.stage].decision
        assert decision is not None
        choice = data.draw(st.sampled_from(list(possible_choices(decision))))
        # A pick-several is order-blind: any order of the same set behaves alike.
        if decision.type == "several":
            choice = tuple(data.draw(st.permutations(choice)))
        state = advance(CASE, state, choice)
    assert state.finished
    result = score(ALGORITHM, CASE, state.taken, state.facts)
    assert 0 <= result.score <= 100
    assert 0.0 <= result.coverage <= 100.0
    assert result.score <= REFERENCE_SCORE


def test_every_path_is_complete_and_none_outscores_the_reference() -> None:
    paths = all_paths(CASE)
    assert not paths.truncated
    scores = {}
    for path in paths:
        assert path.state.finished
        assert CASE.stages[path.state.stage].outcome is not None
        result = score(ALGORITHM, CASE, path.state.taken, path.state.facts)
        assert 0 <= result.score <= 100
        scores[path.choices] = result.score
    assert REFERENCE_SCORE == 100
    assert max(scores.values()) == REFERENCE_SCORE
