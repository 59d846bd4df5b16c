"""A valid case of any size, for the import and path-explorer rows of `make bench`.

A chain of decision stages on the bundled foot-calcification algorithm: at each
one the resident takes the next step of the Achilles case's reference
management (and goes on) or jumps to an early discharge (a terminal stage), so
the number of complete paths grows with the case, not exponentially.

The second generator, for the exact explorer's row, makes every tenth decision
of that chain (the 3rd, 13th ... 93rd of 100) a pick-several of 11 options (no
``min`` or ``max``: 2,047 choices each), one action of the bundled algorithm
per option; picking the steroid injection ends the case early, any other pick
goes on.

    python -m tests.bench.casegen 200 > case200.yaml
    python -m tests.bench.casegen 200 --several > case200-several.yaml
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
# The pick-several's options: (key, label, action), each an action the bundled
# algorithm names, from the plan itself to a harm, so one pick mixes verdicts.
SEVERAL = (
    ("load", "Manage load: fewer hills, cross-train", "treatment.activity_modification"),
    ("review", "Review with a VISA-A score; re-image only on change", "followup.review_reimage"),
    ("heel_lift", "Heel lift and a soft heel counter", "treatment.heel_lift"),
    ("floor", "Floor-level eccentric heel-drops", "treatment.eccentric_loading_floor"),
    ("step", "Heel-drops off a step into dorsiflexion", "treatment.eccentric_loading_step"),
    ("paracetamol", "Paracetamol for the pain", "treatment.paracetamol"),
    ("boot", "Six weeks in a walking boot", "treatment.immobilisation"),
    ("magnesium", "Oral magnesium to dissolve the deposit", "treatment.magnesium"),
    ("ct", "CT of the foot", "imaging.ct_foot"),
    ("iron", "Ferritin and transferrin saturation", "lab.iron_studies"),
    ("steroid", "Steroid injection at the insertion, and discharge", "treatment.steroid_injection"),
)


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


def several_case_document(
    stages: int = 200, slug: str = "bench-200-stage-several", every: int = 10, first: int = 2
) -> dict:
    """The chain of ``case_document`` with every ``every``-th decision, from
    decision ``first`` (0-based) on, a pick-several of the 11 options of
    ``SEVERAL``: 2,047 choices each. Decision 2 is on the best path (the plan's
    loading step is due there), so the best-path search crosses it too."""
    document = case_document(stages, slug)
    document["title"] = f"Bench case with {stages} stages and pick-several decisions"
    body = document["stages"]
    decisions = [key for key, stage in body.items() if "decision" in stage]
    for key in decisions[first::every]:
        going_on, ending = (option["next"] for option in body[key]["decision"]["options"])
        body[key]["decision"] = {
            "prompt": "Review the plan. Select all that apply.",
            "type": "several",
            "options": [
                {
                    "key": option,
                    "label": label,
                    "actions": [action],
                    "feedback": "Judged by the algorithm's rules.",
                    "citations": [CITATION],
                }
                for option, label, action in SEVERAL
            ],
            "next": [
                {"when": {"all": ["treatment.steroid_injection"]}, "stage": ending},
                {"stage": going_on},
            ],
        }
    return document


def algorithm() -> Algorithm:
    """The bundled algorithm every generated case is written for."""
    return Algorithm.model_validate(
        load((CONTENT / ALGORITHM / "algorithm.yaml").read_text(encoding="utf-8")).data
    )


def keyed(document: dict) -> dict:
    """The case with every option keyed as the rubric judges it: a generated
    case has no author, so its keys record what the explorer proves."""
    return keyed_proof(document)[0]


def keyed_proof(document: dict) -> tuple[dict, explorer.Proof]:
    """``keyed``, and the explorer's proof it was keyed from (the keys change
    no verdict and no score, so it is the keyed case's proof too)."""
    proof = explorer.prove(algorithm(), Case.model_validate(document))
    keys = {(o.stage, o.option): o.verdicts[0] for o in proof.options}
    for stage_key, stage in document["stages"].items():
        for option in stage.get("decision", {}).get("options", []):
            option["expect"] = keys[(stage_key, option["key"])]
    return document, proof


def case_yaml(stages: int = 200, slug: str = "bench-200-stage-case") -> str:
    return dump(keyed(case_document(stages, slug)))


def several_case_yaml(stages: int = 200, slug: str = "bench-200-stage-several") -> str:
    return dump(keyed(several_case_document(stages, slug)))


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:] if a.isdigit()]
    make = several_case_yaml if "--several" in sys.argv[1:] else case_yaml
    sys.stdout.write(make(numbers[0] if numbers else 200))
