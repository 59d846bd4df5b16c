"""Small hand-made documents for the pure-core tests.

Written as YAML, the way authors write content, and parsed through the same
pydantic models. They are deliberately tiny so every expected score below can
be worked out by hand (see docs/scoring.md for the formula).

Algorithm ``toy-lump``: 5 steps (3 essential, 2 recommended, total weight 8
when all apply), one ordering constraint (excision after biopsy), 3 harms
(major swab, critical excision-before-biopsy with unless_after, minor
MRI-before-radiograph with unless_after).

Case ``toy-lump-case``: start ``presentation`` (pick several, 1-2) routes to
``films`` if a radiograph was taken, else ``no_films`` (pick one), which joins
``films`` (pick one, reveals ``malignancy_suspected``); from there ``sampling``
(put in order) leads to ``good_end``, and excising at ``films`` to ``poor_end``.
"""

from __future__ import annotations

from typing import Any

import yaml

from cases.schema import Algorithm, Case

ALGORITHM_YAML = """
document: algorithm
slug: toy-lump
title: Toy lump algorithm
topic: A made-up lump, for tests
summary: Films first, then cross-sectional imaging, biopsy before excision.
citations: [ref-overview]
findings:
  diabetes: Diabetes mellitus
  infection_suspected: Clinical signs of infection
  malignancy_suspected: Imaging suggests a tumour
actions:
  imaging.radiograph: {label: Plain radiographs}
  imaging.mri: {label: MRI}
  imaging.ultrasound: {label: Ultrasound}
  micro.tissue_culture: {label: Deep tissue culture}
  micro.swab_culture: {label: Swab culture}
  pathology.biopsy: {label: Core biopsy}
  treatment.excision: {label: Excision}
  lab.vitamin_d: {label: Vitamin D level}
  referral.oncology: {label: Refer to oncology}
steps:
  - key: radiograph
    title: Plain radiographs first
    actions: [imaging.radiograph]
    weight: essential
    rationale: Radiographs are cheap and show calcification and bone involvement.
    citations: [ref-films]
  - key: staging-imaging
    title: Cross-sectional imaging of a suspected tumour
    actions: [imaging.mri]
    alternatives: [imaging.ultrasound]
    when: {all: [malignancy_suspected]}
    rationale: MRI defines the extent of a soft-tissue mass.
    citations: [ref-mri]
  - key: biopsy
    title: Biopsy a suspected tumour
    actions: [pathology.biopsy]
    when: {all: [malignancy_suspected]}
    weight: essential
    rationale: Tissue diagnosis comes before definitive surgery.
    citations: [ref-biopsy]
  - key: culture
    title: Deep tissue culture when infection is suspected
    actions: [micro.tissue_culture]
    when: {any: [infection_suspected]}
    weight: essential
    rationale: Deep tissue, not a swab, identifies the organism.
    citations: [ref-culture]
  - key: excision
    title: Excise after the diagnosis
    actions: [treatment.excision]
    when: {all: [malignancy_suspected]}
    after: [biopsy]
    rationale: Planned excision once histology is known.
    citations: [ref-biopsy]
harms:
  - key: swab
    title: Swab instead of tissue
    actions: [micro.swab_culture]
    when: {all: [infection_suspected]}
    severity: major
    rationale: Swabs grow colonisers and mislead treatment.
    citations: [ref-culture]
  - key: excision-before-biopsy
    title: Excision of a suspected tumour before biopsy
    actions: [treatment.excision]
    when: {all: [malignancy_suspected]}
    unless_after: [pathology.biopsy]
    severity: critical
    rationale: An unplanned excision of a sarcoma contaminates the field.
    citations: [ref-biopsy]
  - key: mri-before-films
    title: MRI before plain films
    actions: [imaging.mri]
    unless_after: [imaging.radiograph]
    severity: minor
    rationale: Films come first; MRI is read with them.
    citations: [ref-films]
"""

CASE_YAML = """
document: case
slug: toy-lump-case
title: A lump on the foot
presentation: A diabetic man with a warm lump on his foot
algorithm: toy-lump
findings:
  note_only: A case-local fact
patient:
  summary: 60-year-old man with diabetes
  age: 60
  sex: male
  findings:
    - {key: diabetes, kind: history, label: Type 2 diabetes}
    - {key: infection_suspected, label: "Warm, red swelling"}
    - {label: Lump, value: 3 cm}
start: presentation
stages:
  presentation:
    title: First visit
    narrative: A firm lump on the dorsum of the foot.
    findings:
      - {label: Pulses, value: present}
    decision:
      prompt: Which first investigations?
      type: several
      min: 1
      max: 2
      options:
        - {key: xray, label: Plain radiographs, actions: [imaging.radiograph], feedback: Right., citations: [ref-films]}
        - {key: mri, label: MRI, actions: [imaging.mri], feedback: Too early., citations: [ref-films]}
        - {key: swab, label: Swab the skin, actions: [micro.swab_culture], feedback: No., citations: [ref-culture]}
        - {key: vitd, label: Vitamin D level, actions: [lab.vitamin_d], feedback: Not needed., citations: [ref-overview]}
      next:
        - {when: {all: [imaging.radiograph]}, stage: films}
        - {stage: no_films}
  no_films:
    title: The consultant asks for films
    narrative: No radiographs yet.
    decision:
      prompt: What now?
      options:
        - {key: xray, label: Get radiographs, actions: [imaging.radiograph], feedback: Yes., citations: [ref-films]}
        - {key: proceed, label: Carry on without films, feedback: Risky., citations: [ref-films]}
      next: films
  films:
    title: Radiographs
    narrative: A soft-tissue mass with periosteal reaction.
    findings:
      - {key: malignancy_suspected, kind: impression, label: Aggressive features}
    decision:
      prompt: How do you image the mass?
      options:
        - {key: mri, label: MRI, actions: [imaging.mri], feedback: Yes., citations: [ref-mri]}
        - {key: us, label: Ultrasound, actions: [imaging.ultrasound], feedback: Acceptable., citations: [ref-mri]}
        - {key: excise, label: Excise it now, actions: [treatment.excision], next: poor_end, feedback: No., citations: [ref-biopsy]}
      next: sampling
  sampling:
    title: Plan
    narrative: Put the plan in order.
    decision:
      prompt: In which order?
      type: order
      options:
        - {key: biopsy, label: Core biopsy with deep culture, actions: [pathology.biopsy, micro.tissue_culture], feedback: First., citations: [ref-biopsy]}
        - {key: excise, label: Excision, actions: [treatment.excision], feedback: After histology., citations: [ref-biopsy]}
      next: good_end
  good_end:
    title: Diagnosis made
    narrative: Histology guides a planned excision.
    outcome: good
  poor_end:
    title: Unplanned excision
    narrative: Margins are contaminated.
    findings:
      - {key: sarcoma, kind: pathology, label: Sarcoma on histology}
    outcome: poor
"""


def load(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def algorithm(**changes: Any) -> Algorithm:
    return Algorithm.model_validate({**load(ALGORITHM_YAML), **changes})


def case(**changes: Any) -> Case:
    return Case.model_validate({**load(CASE_YAML), **changes})


def offering(*actions: str) -> Case:
    """The toy case reduced to one decision whose options perform exactly
    `actions`, for rubric tests about what a case offers."""
    options = [
        {"key": f"o{n}", "label": action, "actions": [action], "feedback": "f."}
        for n, action in enumerate(actions)
    ]
    options.append({"key": "wait", "label": "Wait", "feedback": "f."})
    return case(
        start="only",
        stages={
            "only": {
                "title": "t",
                "narrative": "n",
                "decision": {"prompt": "p", "type": "several", "options": options, "next": "end"},
            },
            "end": {"title": "t", "narrative": "n", "outcome": "good"},
        },
    )


ALGORITHM = algorithm()
CASE = case()

# Named paths through CASE and their hand-worked scores. All applicable steps
# weigh 2+1+2+2+1 = 8 (the patient has infection_suspected from the start and
# malignancy_suspected once the films stage is entered).
REFERENCE = (("xray",), ("mri",), ("biopsy", "excise"))
PATHS: dict[str, tuple[tuple[tuple[str, ...], ...], int]] = {
    # Every step met with a preferred action, in order, nothing extra: 100.
    "reference": (REFERENCE, 100),
    # Ultrasound is only an alternative: 7.5/8 = 93.75 -> 94.
    "alternative": ((("xray",), ("us",), ("biopsy", "excise")), 94),
    # Vitamin D is called for by no step: 100 - 2.
    "not_indicated": ((("xray", "vitd"), ("mri",), ("biopsy", "excise")), 98),
    # Swab with infection suspected: major harm, 100 - 15.
    "swab": ((("xray", "swab"), ("mri",), ("biopsy", "excise")), 85),
    # MRI with films in the same pick is not "after" films: minor harm, 100 - 5.
    "mri_with_films": ((("xray", "mri"), ("mri",), ("biopsy", "excise")), 95),
    # Excision ranked before biopsy: out of order (5) and critical (30): 65.
    "excise_first": ((("xray",), ("mri",), ("excise", "biopsy")), 65),
    # MRI first, films on request: minor harm; the repeat MRI is not counted again: 95.
    "mri_first": ((("mri",), ("xray",), ("mri",), ("biopsy", "excise")), 95),
    # No films at all: essential radiograph missed (6/8 = 75) and minor harm (5): 70.
    "no_films": ((("mri",), ("proceed",), ("mri",), ("biopsy", "excise")), 70),
    # Excision straight after films: radiograph 2 + excision 1 of 8 = 37.5, critical 30 -> 7.5 -> 8.
    "excise_at_films": ((("xray",), ("excise",)), 8),
    # The worked example in docs/scoring.md: 93.75 - (5 + 2 + 30) = 56.75 -> 57.
    "worked_example": ((("xray", "vitd"), ("us",), ("excise", "biopsy")), 57),
}
