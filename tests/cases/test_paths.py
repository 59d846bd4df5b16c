"""The path explorer: every path through a case, scored, and `manage.py case_paths`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.paths import explore
from cases.schema import MAX_STAGES, Algorithm, Case
from simulator import engine
from tests.cases.helpers import ALGORITHM, CASE, VALID_FILES

ALGO = Algorithm.model_validate(yaml.safe_load(ALGORITHM.read_text(encoding="utf-8")))


def case_from(stages: dict, start: str = "a") -> Case:
    return Case.model_validate(
        {
            "document": "case",
            "slug": "explored",
            "title": "Explored",
            "presentation": "A case to explore",
            "algorithm": "test-algorithm",
            "patient": {"summary": "A patient", "age": 50, "sex": "female"},
            "start": start,
            "stages": stages,
        }
    )


def option(key: str, actions: list[str], next_: str | None = None) -> dict:
    found = {"key": key, "label": key.title(), "actions": actions, "feedback": "Why."}
    found["citations"] = ["smith2020"]
    if next_:
        found["next"] = next_
    return found


def ask(*options: dict) -> dict:
    return {
        "title": "Ask",
        "narrative": "Decide.",
        "decision": {"prompt": "?", "options": list(options)},
    }


END = {"title": "The end", "narrative": "Done.", "outcome": "good"}


def test_the_fixture_case_has_a_reference_path_and_a_range_of_scores() -> None:
    case = Case.model_validate(yaml.safe_load(CASE.read_text(encoding="utf-8")))
    found = explore(case, ALGO)

    assert found.count == len(engine.all_paths(case)) > 1
    assert not found.truncated
    assert found.best == max(p.score for p in found.paths)
    assert found.worst == min(p.score for p in found.paths) < found.best
    assert found.reference and all(p.score == found.best for p in found.reference)
    first = found.paths[0]
    assert first.steps[0].stage == "intro"
    assert first.steps[0].labels == ("Plain radiograph",)


def test_the_reference_path_scores_100_and_each_harm_is_caught() -> None:
    case = case_from(
        {
            "a": ask(
                option("films", ["imaging.radiograph"], "b"), option("mri", ["imaging.mri"], "b")
            ),
            # A CRP is not indicated for this patient: an unnecessary test.
            "b": ask(option("crp", ["lab.crp"], "end"), option("wait", ["followup.review"], "end")),
            "end": END,
        }
    )
    found = explore(case, ALGO)

    assert found.reaches_full_marks
    assert [[s.options for s in p.steps] for p in found.reference] == [[("films",), ("wait",)]]
    scores = {tuple(s.options[0] for s in p.steps): p.score for p in found.paths}
    assert scores[("films", "wait")] == 100
    assert scores[("films", "crp")] < 100
    assert found.worst == min(scores.values()) == scores[("mri", "crp")]
    # MRI before films is the algorithm's harm: caught on every path that takes it.
    assert [(h.stage, h.option, h.action, h.severity) for h in found.harms] == [
        ("a", "mri", "imaging.mri", "minor")
    ]
    for path in found.paths:
        assert bool(path.harms) == (path.steps[0].options == ("mri",))


def test_a_case_with_a_cycle_is_explored_to_the_end_without_looping() -> None:
    case = case_from(
        {
            # "Wait" sends the learner back to the same stage: a cycle.
            "a": ask(
                option("wait", ["wait.continue_plan"], "a"),
                option("films", ["imaging.radiograph"], "b"),
            ),
            "b": ask(
                option("back", ["lab.crp"], "a"), option("finish", ["wait.continue_plan"], "end")
            ),
            "end": END,
        }
    )
    found = explore(case, ALGO)

    assert not found.truncated
    assert found.count >= 2
    assert all(p.end == "end" for p in found.paths)
    routes = {tuple(s.options[0] for s in p.steps) for p in found.paths}
    assert ("films", "finish") in routes
    assert ("films", "back", "films", "finish") in routes  # round the cycle once, with new facts


def test_a_dead_end_yields_no_path_and_is_named() -> None:
    case = case_from(
        {
            "a": ask(
                option("films", ["imaging.radiograph"], "end"),
                option("limbo", ["wait.continue_plan"], "limbo"),
            ),
            # Every choice here comes back here: no path from it reaches an outcome.
            "limbo": ask(
                option("stay", ["wait.continue_plan"], "limbo"),
                option("still", ["wait.continue_plan"], "limbo"),
            ),
            "end": END,
        }
    )
    found = explore(case, ALGO)

    assert [tuple(s.options for s in p.steps) for p in found.paths] == [(("films",),)]
    assert found.off_every_path == ("limbo",)


def large_case(stages: int = MAX_STAGES) -> Case:
    built = {}
    for i in range(stages - 1):
        following = f"s{i + 1}" if i + 1 < stages - 1 else "end"
        built[f"s{i}"] = ask(
            option("films", ["imaging.radiograph"], following),
            option("mri", ["imaging.mri"], following),
        )
    built["end"] = END
    return case_from(built, start="s0")


def test_the_largest_case_allowed_is_explored_within_its_caps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Benchmark, not a timer: 2^99 paths exist; the list stops at its cap, the
    proof judges each distinct situation once, and the work (engine steps) stays
    proportional to the case's size, not to its number of paths."""
    case = large_case()
    steps = 0
    advance = engine.advance

    def counting(*args, **kwargs):
        nonlocal steps
        steps += 1
        return advance(*args, **kwargs)

    monkeypatch.setattr(engine, "advance", counting)
    found = explore(case, ALGO, limit=200)

    assert len(case.stages) == MAX_STAGES
    assert found.truncated
    assert found.count == 200
    assert all(len(p.steps) == MAX_STAGES - 1 for p in found.paths)
    assert found.best == 100  # films at every stage
    assert found.proof.best.score == 100 and found.worst == found.proof.worst.score
    # The list: about 2 per stage for the first path, then a few per further path.
    # The proof: 2 choices in each of at most 4 situations a stage (films, MRI, both,
    # neither known), and 2 per stage for each search. The notes: each option judged
    # again once per finding the rules test and the case never reveals (2 here).
    assert steps < 2_000 + 8 * MAX_STAGES + 4 * MAX_STAGES + 2 * 2 * MAX_STAGES


def test_case_paths_prints_each_path_with_its_score(db: None) -> None:
    call_command("import_content", *map(str, VALID_FILES), stdout=StringIO())
    out = StringIO()
    call_command("case_paths", "test-case", stdout=out)
    text = out.getvalue()
    assert text.startswith("test-case v1: scores 0 to 100 (exact); reference: ")
    assert "path 1 (reference): score" in text
    assert "intro: Plain radiograph" in text


def test_case_paths_json_has_the_summary_and_every_path(db: None) -> None:
    call_command("import_content", *map(str, VALID_FILES), stdout=StringIO())
    out = StringIO()
    call_command("case_paths", "test-case", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["case"] == "test-case"
    assert data["version"] == 1
    assert data["count"] == len(data["paths"]) > 1
    assert (data["exact"], data["best"], data["worst"]) == (True, 100, 0)
    assert data["reference"] == {"choices": [["films"], ["tissue"], ["good"]], "score": 100}
    assert data["reference_paths"] and data["truncated"] is False
    assert {"number", "choices", "score", "critical_errors", "reference"} <= set(data["paths"][0])
    # Every option with its proven verdicts, beside its key.
    mri = next(o for o in data["options"] if (o["stage"], o["option"]) == ("intro", "mri"))
    assert mri == {
        "stage": "intro",
        "option": "mri",
        "verdicts": ["harmful_minor"],
        "reordered": [],
        "expect": "harmful_minor",
        "matches": True,
    }


def test_case_paths_refuses_an_unknown_case(db: None) -> None:
    with pytest.raises(CommandError, match="no case 'nope'"):
        call_command("case_paths", "nope", stdout=StringIO())


def test_case_paths_reports_the_algorithms_coverage(db: None) -> None:
    call_command("import_content", "cases/content", stdout=StringIO())
    out = StringIO()
    call_command("case_paths", "calcified-deep-mass-sarcoma", "--coverage", stdout=out)
    text = out.getvalue()
    assert "coverage of soft-tissue-calcification-foot: 100" in text
    assert "no case teaches" not in text
    out = StringIO()
    call_command("case_paths", "calcified-deep-mass-sarcoma", "--coverage", "--json", stdout=out)
    covered = json.loads(out.getvalue())["coverage"]
    # The eleven bundled cases teach every step and reach every harm.
    assert covered["untaught_steps"] == covered["uncommitted_harms"] == []
    assert covered["percent"] == 100
