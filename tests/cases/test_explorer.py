"""The exact explorer: its figures equal what listing every path gives, where that is possible."""

from __future__ import annotations

from collections import defaultdict

import pytest
import yaml

from cases import explorer
from cases.schema import Algorithm, DecisionType
from scoring import rubric
from simulator import engine
from tests.cases.helpers import ALGORITHM
from tests.cases.test_paths import END, ask, case_from, option
from tests.core.bundled import bundled, case_and_algorithm

ALGO = Algorithm.model_validate(yaml.safe_load(ALGORITHM.read_text(encoding="utf-8")))
ENUMERABLE = [
    "calcified-deep-mass-sarcoma",
    "dialysis-tumoral-calcinosis",
    "insertional-achilles-calcification",
    "post-injection-heel-calcification",
]


def every_path(case, algorithm):
    """(score, choices, per-option verdicts in the author's order) for every path, by listing."""
    paths = engine.all_paths(case, limit=100_000, per_decision=1_000, budget=1_000_000)
    assert not paths.truncated
    verdicts: dict[tuple[str, str], set[str]] = defaultdict(set)
    scores = []
    for path in paths:
        result = rubric.score(algorithm, case, path.state.points, path.state.taken)
        scores.append((result.score, path.choices))
        for point, choice in zip(path.state.points, path.choices, strict=True):
            decision = case.stages[point.stage].decision
            if decision.type is DecisionType.order and choice != tuple(
                o.key for o in decision.options
            ):
                continue  # keys speak of the author's order
            for key in choice:
                mine = [a for a in result.actions if a.decision == point.index and a.option == key]
                verdicts[(point.stage, key)].add(explorer.option_verdict(mine))
    return scores, verdicts


@pytest.mark.parametrize("slug", ENUMERABLE)
def test_the_proof_equals_listing_every_path(slug: str) -> None:
    case, algorithm = case_and_algorithm(slug)
    scores, listed = every_path(case, algorithm)

    proof = explorer.prove(algorithm, case)

    assert proof.best.score == max(s for s, _ in scores)
    assert proof.worst.score == min(s for s, _ in scores)
    for extreme in (proof.best, proof.worst):
        state = engine.replay(case, extreme.path)
        assert state.finished
        assert rubric.score(algorithm, case, state.points, state.taken).score == extreme.score
    proved = {(o.stage, o.option): set(o.verdicts) for o in proof.options if o.verdicts}
    assert proved == dict(listed)


def test_every_bundled_option_is_keyed_and_its_key_holds_on_every_path() -> None:
    cases, algorithms = bundled()
    for case in cases.values():
        proof = explorer.prove(algorithms[case.algorithm], case)
        assert proof.best.score == 100, case.slug
        assert [o.option for o in proof.options if o.matches is not True] == [], case.slug


def test_a_case_where_no_path_is_perfect_or_worthless_is_bounded_exactly() -> None:
    # Every path takes an unnecessary CRP or an MRI before films: none scores 100 or 0.
    case = case_from(
        {
            "a": ask(
                option("films_crp", ["imaging.radiograph", "lab.crp"], "b"),
                option("mri", ["imaging.mri"], "b"),
            ),
            "b": ask(
                option("films", ["imaging.radiograph"], "end"),
                option("review", ["followup.review"], "end"),
            ),
            "end": END,
        }
    )
    scores, _ = every_path(case, ALGO)
    proof = explorer.prove(ALGO, case)

    assert 0 < proof.worst.score == min(s for s, _ in scores)
    assert proof.best.score == max(s for s, _ in scores) < 100


def test_a_contradicted_key_names_the_path_the_verdict_and_the_rule() -> None:
    case = case_from(
        {
            "a": ask(
                {**option("films", ["imaging.radiograph"], "b"), "expect": "best"},
                {**option("mri", ["imaging.mri"], "b"), "expect": "best"},
            ),
            "b": ask(
                {**option("crp", ["lab.crp"], "end"), "expect": "best"},
                {**option("review", ["followup.review"], "end"), "expect": "best"},
            ),
            "end": END,
        }
    )
    found = {(m.stage, m.option): m for m in explorer.key_mismatches(ALGO, case)}

    assert set(found) == {("a", "mri"), ("b", "crp")}
    mri = found[("a", "mri")]
    assert (mri.expected, mri.verdict, mri.where) == (
        "best",
        "harmful_minor",
        "at the first decision",
    )
    assert "mri-before-films" in mri.rule
    crp = found[("b", "crp")]
    assert crp.verdict == "not_indicated"
    assert crp.where in ("after “Films”", "after “Mri”")
    assert "no step of the algorithm calls for “C-reactive protein”" in crp.rule
