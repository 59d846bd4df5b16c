"""What an author is told before review: facts never revealed, endings the scores contradict."""

from __future__ import annotations

import yaml

from cases import explorer, soundness
from cases.schema import Algorithm
from tests.cases.helpers import ALGORITHM
from tests.cases.test_paths import ask, case_from, option

DATA = yaml.safe_load(ALGORITHM.read_text(encoding="utf-8"))
ALGO = Algorithm.model_validate(DATA)


def end(outcome: str) -> dict:
    return {"title": f"Ends {outcome}", "narrative": "Done.", "outcome": outcome}


def test_a_right_answer_no_step_can_call_for_is_traced_to_the_fact_never_revealed() -> None:
    # Tissue culture is right only once infection is suspected, which this case never says.
    case = case_from(
        {
            "a": ask(
                option("films", ["imaging.radiograph"], "b"),
                option("mri", ["imaging.mri"], "b"),
            ),
            "b": ask(
                option("tissue", ["micro.tissue_culture"], "good"),
                option("review", ["followup.review"], "good"),
            ),
            "good": end("good"),
        }
    )
    notes = soundness.unrevealed_facts(ALGO, case, explorer.prove(ALGO, case))

    (note,) = notes
    assert note.fact == "infection_suspected"
    assert [(c.stage, c.option, c.now, c.if_known) for c in note.options] == [
        ("b", "Tissue", "not_indicated", "best")
    ]
    assert "never reveals 'infection_suspected'" in note.message


def test_a_good_ending_reached_only_through_a_critical_error_is_flagged() -> None:
    critical = {**DATA, "harms": [{**DATA["harms"][0], "severity": "critical"}]}
    algorithm = Algorithm.model_validate(critical)  # MRI before films is now critical
    case = case_from(
        {
            "a": ask(
                option("films", ["imaging.radiograph"], "fair"),
                option("mri", ["imaging.mri"], "good"),
            ),
            "fair": end("fair"),
            "good": end("good"),
        }
    )
    notes = soundness.contradicted_endings(algorithm, case, explorer.prove(algorithm, case))

    assert [(n.stage, n.message) for n in notes] == [
        ("good", "every path that ends here makes a critical error, yet the outcome is good")
    ]


def test_a_poor_ending_on_the_reference_path_is_flagged() -> None:
    case = case_from(
        {
            "a": ask(
                option("films", ["imaging.radiograph"], "poor"),
                option("mri", ["imaging.mri"], "good"),
            ),
            "poor": end("poor"),
            "good": end("good"),
        }
    )
    notes = soundness.contradicted_endings(ALGO, case, explorer.prove(ALGO, case))

    assert [n.stage for n in notes] == ["poor"]
    assert "the reference path (score 100) ends here, yet the outcome is poor" in notes[0].message
