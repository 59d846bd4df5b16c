"""Small hand-made documents for the pure-core tests.

Written as YAML, the way authors write content, and parsed through the same
pydantic models. They are deliberately tiny so every expected score below can
be worked out by hand; docs/scoring.md works the same paths for its readers
(rubric version 2).

Algorithm ``toy-lump``: 5 steps and 4 harms.

    step             weight            lists                          when / window
    radiograph       essential (2)     radiograph                     always; within 1, before MRI
    staging-imaging  recommended (1)   MRI; alt. ultrasound;          malignancy_suspected
                                       low value CT
    biopsy           critical (3)      biopsy                         malignancy_suspected
    culture          recommended (1)   tissue culture                 infection_suspected
    excision         recommended (1)   excision                       malignancy_suspected,
                                                                      after biopsy
    harm                       severity  action            limits
    swab                       major     swab              when infection_suspected
    excision-before-biopsy     critical  excision          after malignancy_suspected,
                                                           unless_after pathology.biopsy
    mri-before-films           minor     MRI               unless_after imaging.radiograph
    watching-suspected-tumour  major     watchful waiting  after malignancy_suspected

Vitamin D and the two waits are listed by no step. Every action has its own
rationale and citations (key ``ref-<name>``), distinct from its step's.

Case ``toy-lump-case``: the patient has ``infection_suspected`` from the start.

    presentation (pick 1-2 of xray, mri, us, swab, vitd)
      -> films if a radiograph was taken, else no_films
    no_films (pick one: xray, proceed = wait.continue_plan) -> films
    films (reveals malignancy_suspected; pick one: mri, us, ct -> sampling,
           watch = wait.watchful_waiting -> poor_end)
    sampling (put in order: biopsy = biopsy + tissue culture, excise) -> good_end

On a path through ``sampling`` every step is judged: 2 + 1 + 3 + 1 + 1 = 8
points. The excision step becomes due at the sampling decision, which
offers and performs the biopsy it comes after. Excision is offered nowhere
else, and the biopsy is offered wherever excision is.
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
  imaging.radiograph:
    label: Plain radiographs
    rationale: Radiographs show calcification and bone involvement; they come first.
    citations: [ref-xray]
  imaging.mri:
    label: MRI
    rationale: MRI is for a mass the radiographs show to be suspicious, read with them.
    citations: [ref-mri-protocol]
  imaging.ultrasound:
    label: Ultrasound
    rationale: Ultrasound tells solid from cystic; it is for a mass the films have shown.
    citations: [ref-ultrasound]
  imaging.ct:
    label: CT of the foot
    rationale: CT shows mineral well but the extent of a soft-tissue mass poorly.
    citations: [ref-ct]
  micro.tissue_culture:
    label: Deep tissue culture
    rationale: Deep tissue grows the organism that matters.
    citations: [ref-tissue]
  micro.swab_culture:
    label: Swab culture
    rationale: A surface swab grows skin colonisers.
    citations: [ref-swab]
  pathology.biopsy:
    label: Core biopsy
    rationale: A core biopsy planned with the surgeon gives the diagnosis.
    citations: [ref-core]
  treatment.excision:
    label: Excision
    rationale: Excision is planned once histology is known.
    citations: [ref-surgery]
  lab.vitamin_d:
    label: Vitamin D level
    rationale: Vitamin D has no part in the work-up of a soft-tissue lump.
    citations: [ref-labs]
  wait.continue_plan:
    label: Carry on with the current plan
    rationale: Carrying on without radiographs leaves the lump unexplained.
    citations: [ref-waiting]
  wait.watchful_waiting:
    label: Watchful waiting
    rationale: Waiting suits a lump that every test shows to be benign.
    citations: [ref-watching]
steps:
  - key: radiograph
    title: Plain radiographs first
    actions: [imaging.radiograph]
    weight: essential
    within: 1
    before: [imaging.mri]
    rationale: Radiographs are cheap and show calcification and bone involvement.
    citations: [ref-films]
  - key: staging-imaging
    title: Cross-sectional imaging of a suspected tumour
    actions: [imaging.mri]
    alternatives: [imaging.ultrasound]
    low_value: [imaging.ct]
    when: {all: [malignancy_suspected]}
    rationale: MRI defines the extent of a soft-tissue mass.
    citations: [ref-mri]
  - key: biopsy
    title: Biopsy a suspected tumour
    actions: [pathology.biopsy]
    when: {all: [malignancy_suspected]}
    weight: critical
    rationale: Tissue diagnosis comes before definitive surgery.
    citations: [ref-biopsy]
  - key: culture
    title: Deep tissue culture when infection is suspected
    actions: [micro.tissue_culture]
    when: {any: [infection_suspected]}
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
    after: [malignancy_suspected]
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
  - key: watching-suspected-tumour
    title: Watching a suspected tumour
    actions: [wait.watchful_waiting]
    after: [malignancy_suspected]
    severity: major
    rationale: Waiting lets a sarcoma grow and delays its diagnosis.
    citations: [ref-biopsy]
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
        - {key: us, label: Ultrasound, actions: [imaging.ultrasound], feedback: Not yet., citations: [ref-mri]}
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
        - {key: proceed, label: Carry on without films, actions: [wait.continue_plan], feedback: Risky., citations: [ref-films]}
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
        - {key: ct, label: CT, actions: [imaging.ct], feedback: Second-line., citations: [ref-mri]}
        - {key: watch, label: Review in six months, actions: [wait.watchful_waiting], next: poor_end, feedback: No., citations: [ref-biopsy]}
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
    title: Delayed diagnosis
    narrative: The mass has grown; a late biopsy shows a sarcoma.
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


def with_step(key: str, **changes: Any) -> Algorithm:
    """The toy algorithm with one step's fields changed."""
    steps = load(ALGORITHM_YAML)["steps"]
    return algorithm(steps=[{**s, **changes} if s["key"] == key else s for s in steps])


def with_harm(**harm: Any) -> Algorithm:
    """The toy algorithm with one more harm (title, rationale and citations filled in)."""
    extra = {"title": "t", "rationale": f"Why {harm['key']} harms.", "citations": ["ref-extra"]}
    return algorithm(harms=[*load(ALGORITHM_YAML)["harms"], {**extra, **harm}])


def case(**changes: Any) -> Case:
    return Case.model_validate({**load(CASE_YAML), **changes})


def case_with_films() -> Case:
    """The toy case with the patient bringing radiographs from the GP: a
    finding that shows ``imaging.radiograph`` done before the first decision."""
    patient = load(CASE_YAML)["patient"]
    brought = {
        "kind": "imaging",
        "label": "Radiographs from the GP",
        "done": ["imaging.radiograph"],
    }
    return case(patient={**patient, "findings": [*patient["findings"], brought]})


def case_without_infection() -> Case:
    """The toy case with no sign of infection anywhere: the culture step can never apply."""
    patient = load(CASE_YAML)["patient"]
    findings = [f for f in patient["findings"] if f.get("key") != "infection_suspected"]
    return case(patient={**patient, "findings": findings})


def offering(*actions: str) -> Case:
    """The toy case reduced to one pick-several decision whose options perform
    exactly `actions` (and a deliberate wait), for tests about what a case offers."""
    options = [
        {"key": f"o{n}", "label": action, "actions": [action], "feedback": "f."}
        for n, action in enumerate(actions)
    ]
    options.append(
        {"key": "wait", "label": "Wait", "actions": ["wait.continue_plan"], "feedback": "f."}
    )
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
FILMS_BROUGHT = case_with_films()

# Named paths through CASE and their hand-worked scores; each is a worked
# example in docs/scoring.md (its number in the comment). Steps judged on a
# path through sampling: radiograph 2 + staging-imaging 1 + biopsy 3 +
# culture 1 + excision 1 = 8. Penalties: premature 3, not indicated 3, low
# value 2; harms minor 5, major 15, critical 30. Scores round halves up.
REFERENCE = (("xray",), ("mri",), ("biopsy", "excise"))
PATHS: dict[str, tuple[tuple[tuple[str, ...], ...], int]] = {
    # Example 1. Every step on time with a preferred action, nothing extra:
    # 8 / 8 = 100.
    "reference": (REFERENCE, 100),
    # Example 2. Ultrasound is acceptable: staging-imaging earns 1 x 3/4;
    # (2 + 0.75 + 3 + 1 + 1) / 8 = 96.875 -> 97.
    "acceptable": ((("xray",), ("us",), ("biopsy", "excise")), 97),
    # Example 3. CT is low value (-2) and meets nothing, so staging-imaging is
    # missed: 7 / 8 = 87.5; 87.5 - 2 = 85.5 -> 86.
    "low_value": ((("xray",), ("ct",), ("biopsy", "excise")), 86),
    # Example 4. Ultrasound at the first visit, before the films raised any
    # suspicion: premature (-3); every step on time: 100 - 3 = 97.
    "premature": ((("xray", "us"), ("mri",), ("biopsy", "excise")), 97),
    # Example 5. Vitamin D is listed by no step: not indicated (-3). Films at
    # the next decision are still on time (radiograph: within 1): 100 - 3 = 97.
    "not_indicated": ((("vitd",), ("xray",), ("mri",), ("biopsy", "excise")), 97),
    # Example 6. MRI before films: minor harm (-5); the films that follow are
    # late (an MRI came before them): radiograph 2 x 1/2 = 1;
    # 7 / 8 = 87.5; 87.5 - 5 = 82.5 -> 83.
    "minor_harm": ((("mri",), ("xray",), ("mri",), ("biopsy", "excise")), 83),
    # Example 7. Swab with infection suspected: major harm (-15): 100 - 15 = 85.
    "major_harm": ((("xray", "swab"), ("mri",), ("biopsy", "excise")), 85),
    # Example 8. Excision ranked before the biopsy: critical harm (-30), and a
    # harmful excision meets nothing, so the excision step is missed:
    # 7 / 8 = 87.5; 87.5 - 30 = 57.5 -> 58.
    "critical_harm": ((("xray",), ("mri",), ("excise", "biopsy")), 58),
    # Example 9. Watching the suspicious mass: major harm (-15); staging-imaging
    # was due and missed; biopsy, culture and excision were never offered, so
    # are not judged: 2 / (2 + 1) = 66.67; 66.67 - 15 = 51.67 -> 52.
    "watch": ((("xray",), ("watch",)), 52),
    # Example 10. No films at all: radiograph missed; MRI harmful (minor) twice,
    # counted once, and a harmful MRI meets nothing, so staging-imaging is
    # missed too; carrying on is not indicated (-3): (0 + 0 + 3 + 1 + 1) / 8
    # = 62.5; 62.5 - 5 - 3 = 54.5 -> 55.
    "no_films": ((("mri",), ("proceed",), ("mri",), ("biopsy", "excise")), 55),
}

# Example 11. On FILMS_BROUGHT, MRI at the first visit: not harmful (the films
# came first) but premature (-3); the radiograph step is not judged (a finding
# shows it done): (1 + 3 + 1 + 1) / 6 = 100; 100 - 3 = 97.
FILMS_BROUGHT_PATH: tuple[tuple[str, ...], ...] = (("mri",), ("mri",), ("biopsy", "excise"))
FILMS_BROUGHT_SCORE = 97
