"""A valid case of any size, for the import and path-explorer rows of `make bench`.

A chain of decision stages on the bundled foot-calcification algorithm: at each
one the resident takes the next step of the Achilles case's reference
management (and goes on) or jumps to an early discharge (a terminal stage), so
the number of complete paths grows with the case, not exponentially.

    python -m tests.bench.casegen 200 > case200.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path

from cases import explorer
from cases.schema import Algorithm, Case
from cases.yamlmap import dump, load

CONTENT = Path(__file__).resolve().parents[2] / "cases" / "content"

ALGORITHM = "soft-tissue-calcification-foot"
# Actions the bundled algorithm names, in the Achilles case's reference order.
STEPS = (
    ["assess.targeted_history", "imaging.radiograph", "lab.metabolic_panel"],
    ["imaging.ultrasound"],
    ["treatment.eccentric_loading_floor", "treatment.heel_lift"],
    ["treatment.activity_modification", "followup.review_reimage"],
    ["treatment.eswt"],
)
WRONG = ["imaging.mri"]
CITATION = "acr-soft-tissue-masses-2022"


def case_document(stages: int = 200, slug: str = "bench-200-stage-case") -> dict:
    """A case of exactly ``stages`` stages: ``d`` decisions and ``stages - d`` endings."""
    if stages < 3:
        raise ValueError("a case needs at least 3 stages")
    decisions = (stages + 1) // 2  # decisions d0..d(n-1); endings e0..e(n-2) plus "done"
    endings = stages - decisions
    body: dict[str, dict] = {}
    for i in range(decisions):
        last = i == decisions - 1
        ending = f"e{min(i, endings - 2)}" if endings > 1 else "done"
        body[f"d{i}"] = {
            "title": f"Clinic visit {i + 1}",
            "narrative": (
                f"Visit {i + 1} of a long follow-up. The heel is reviewed, the plan so far "
                "is recapped, and the next step is decided with the patient."
            ),
            "findings": [{"kind": "exam", "label": f"Review {i + 1}", "value": "stable"}],
            "decision": {
                "prompt": "What do you do next?",
                "options": [
                    {
                        "key": "next",
                        "label": "Take the next step of the plan",
                        "actions": STEPS[i % len(STEPS)],
                        "feedback": "Right: the plan goes on.",
                        "citations": [CITATION],
                        "next": "done" if last else f"d{i + 1}",
                    },
                    {
                        "key": "mri",
                        "label": "Order an MRI and discharge",
                        "actions": WRONG,
                        "feedback": "Radiographs come first; MRI depicts calcification poorly.",
                        "citations": [CITATION],
                        "next": ending,
                    },
                ],
            },
        }
    for j in range(endings - 1):
        body[f"e{j}"] = {
            "title": f"Discharged early ({j + 1})",
            "narrative": "He is discharged with an MRI report and no plan.",
            "outcome": "poor",
        }
    body["done"] = {
        "title": "Outcome",
        "narrative": "Symptoms settle over the follow-up.",
        "outcome": "good",
    }
    return {
        "document": "case",
        "slug": slug,
        "title": f"Bench case with {stages} stages",
        "presentation": "44-year-old runner with posterior heel pain, followed for a long time",
        "algorithm": ALGORITHM,
        "difficulty": "introductory",
        "minutes": 240,
        "patient": {
            "summary": "44-year-old man, recreational runner, with posterior heel pain",
            "age": 44,
            "sex": "male",
            "findings": [
                {
                    "key": "tendinopathy",
                    "kind": "impression",
                    "label": "Clinical picture of insertional Achilles tendinopathy",
                },
                {
                    "key": "superficial_lesion",
                    "kind": "exam",
                    "label": "Tender, thickened Achilles insertion, easily palpable",
                },
            ],
        },
        "start": "d0",
        "stages": body,
    }


def keyed(document: dict) -> dict:
    """The case with every option keyed as the rubric judges it: a generated
    case has no author, so its keys record what the explorer proves."""
    algorithm = Algorithm.model_validate(
        load((CONTENT / ALGORITHM / "algorithm.yaml").read_text(encoding="utf-8")).data
    )
    proof = explorer.prove(algorithm, Case.model_validate(document))
    keys = {(o.stage, o.option): o.verdicts[0] for o in proof.options}
    for stage_key, stage in document["stages"].items():
        for option in stage.get("decision", {}).get("options", []):
            option["expect"] = keys[(stage_key, option["key"])]
    return document


def case_yaml(stages: int = 200, slug: str = "bench-200-stage-case") -> str:
    return dump(keyed(case_document(stages, slug)))


if __name__ == "__main__":
    sys.stdout.write(case_yaml(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
