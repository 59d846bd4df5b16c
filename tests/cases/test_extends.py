"""Algorithm variants: merging one onto its base (``cases.extends``), the
validator's problems at their lines, and a variant stored fully resolved."""

from __future__ import annotations

import pytest
import yaml

from cases import models
from cases.extends import resolve
from cases.schema import Algorithm
from cases.services import ContentInvalid, content_import
from cases.validate import Context, Report, Source, validate
from tests.cases.helpers import LIBRARY, REPO

BASE = """\
document: algorithm
slug: base-lump
title: Lump
topic: Soft-tissue lump
summary: Films first.
citations: [smith2020]
findings:
  diabetes: Type 2 diabetes
  infection_suspected: Infection is suspected
actions:
  imaging.radiograph:
    label: Plain radiograph
    rationale: Films show calcification cheaply.
  imaging.mri:
    label: MRI
    rationale: MRI comes after films.
  micro.tissue_culture:
    label: Tissue culture
    rationale: A tissue culture finds the organism.
steps:
  - key: radiograph
    title: Plain radiograph first
    actions: [imaging.radiograph]
    weight: essential
    rationale: Plain films show calcification cheaply.
    citations: [smith2020]
  - key: culture
    title: Culture deep tissue
    actions: [micro.tissue_culture]
    when:
      all: [infection_suspected]
    after: [radiograph]
    rationale: A tissue culture finds the organism.
    citations: [doe2019]
harms:
  - key: mri-before-films
    title: MRI before plain films
    actions: [imaging.mri]
    unless_after: [imaging.radiograph]
    severity: minor
    rationale: Films come first.
    citations: [smith2020]
"""

# Lines 1-5; what a test appends starts on line 6.
HEAD = """\
document: algorithm
slug: diabetic-lump
title: Lump in a diabetic foot
extends:
  algorithm: base-lump
"""

# Adds to each part of the base and overrides each: the variant the import tests store.
VARIANT = (
    HEAD
    + """\
summary: Films, then a tissue culture whenever the foot may be infected.
findings:
  ulcer: An ulcer over the lump
actions:
  lab.esr:
    label: Erythrocyte sedimentation rate
    rationale: Raised in osteomyelitis.
steps:
  - key: esr
    title: Check the ESR
    actions: [lab.esr]
    when:
      all: [ulcer]
    rationale: Raised in osteomyelitis.
    citations: [doe2019]
harms:
  - key: mri-first
    title: MRI as the first test
    actions: [imaging.mri]
    when:
      all: [ulcer]
    severity: major
    rationale: Films come first.
    citations: [smith2020]
override:
  steps:
    - key: culture
      weight: critical
      when:
        any: [infection_suspected, ulcer]
  harms:
    - key: mri-before-films
      severity: major
  actions:
    imaging.mri:
      label: Magnetic resonance imaging
  findings:
    diabetes: Diabetes of either type
"""
)

CASE = """\
document: case
slug: diabetic-heel
title: A lump on a diabetic heel
presentation: A lump on the heel of a man with diabetes
algorithm: diabetic-lump
patient:
  summary: A 60-year-old man with diabetes
  age: 60
  sex: male
  findings:
    - key: ulcer
      label: An ulcer over the lump
start: intro
stages:
  intro:
    title: Clinic
    narrative: A hard lump under an ulcer.
    decision:
      prompt: What first?
      options:
        - key: films
          label: Plain films
          actions: [imaging.radiograph]
          expect: best
          next: end
          feedback: Right.
          citations: [smith2020]
        - key: esr
          label: An ESR
          actions: [lab.esr]
          expect: best
          next: end
          feedback: Also right.
          citations: [doe2019]
  end:
    title: End
    narrative: Done.
    outcome: good
"""


def base() -> Algorithm:
    return Algorithm.model_validate(yaml.safe_load(BASE))


def merge(text: str, version: int = 1):
    return resolve(yaml.safe_load(HEAD + text), base(), version)


def check(*texts: tuple[str, str], context: Context | None = None) -> Report:
    """Validate the library fixture and the texts, named by file."""
    sources = [Source(str(LIBRARY), LIBRARY.read_text(encoding="utf-8"))]
    return validate(sources + [Source(name, text) for name, text in texts], context)


def problems(report: Report, name: str = "variant.yaml") -> list[str]:
    return [str(p) for p in report.problems if p.file == name]


def document(report: Report, slug: str) -> Algorithm:
    return next(s.document for s in report.sources if getattr(s.document, "slug", "") == slug)


def stored(*versions: str) -> Context:
    """A context in which ``base-lump`` is stored as these versions, v1 first."""
    parsed = [Algorithm.model_validate(yaml.safe_load(text)) for text in versions]
    return Context(
        references=frozenset({"smith2020", "doe2019"}),
        algorithm=lambda slug, n: (
            parsed[(n or len(parsed)) - 1]
            if slug == "base-lump" and 1 <= (n or len(parsed)) <= len(parsed)
            else None
        ),
        newest_version=lambda slug: len(parsed) if slug == "base-lump" else None,
    )


# --- merging, pure --------------------------------------------------------------------


def test_a_variant_adds_its_entries_after_the_bases() -> None:
    merged = resolve(yaml.safe_load(VARIANT), base(), 1).data

    assert list(merged["findings"]) == ["diabetes", "infection_suspected", "ulcer"]
    assert list(merged["actions"])[-1] == "lab.esr"
    assert [s["key"] for s in merged["steps"]] == ["radiograph", "culture", "esr"]
    assert [h["key"] for h in merged["harms"]] == ["mri-before-films", "mri-first"]
    assert (merged["slug"], merged["title"]) == ("diabetic-lump", "Lump in a diabetic foot")
    assert "override" not in merged


def test_an_override_replaces_only_the_fields_it_gives_in_place() -> None:
    merged = resolve(yaml.safe_load(VARIANT), base(), 1).data

    culture = merged["steps"][1]
    assert culture["key"] == "culture"
    assert culture["weight"] == "critical"
    assert culture["when"] == {"any": ["infection_suspected", "ulcer"]}
    assert culture["after"] == ["radiograph"]  # kept from the base
    assert culture["citations"] == ["doe2019"]
    assert merged["harms"][0]["severity"] == "major"
    assert merged["actions"]["imaging.mri"] == {
        "label": "Magnetic resonance imaging",
        "rationale": "MRI comes after films.",
    }
    assert merged["findings"]["diabetes"] == "Diabetes of either type"


def test_a_null_field_in_an_override_goes_back_to_its_default() -> None:
    merged = merge("override:\n  steps:\n    - key: culture\n      when: ~\n").data

    assert "when" not in merged["steps"][1]
    assert Algorithm.model_validate(merged).step("culture").when.holds(set())


def test_a_given_summary_replaces_the_bases_and_the_rest_is_kept() -> None:
    merged = merge("summary: Another plan.\n").data

    assert merged["summary"] == "Another plan."
    assert merged["topic"] == "Soft-tissue lump"
    assert merged["citations"] == ["smith2020"]
    assert merged["steps"] == base().model_dump(mode="json", exclude_defaults=True)["steps"]


def test_the_merged_variant_records_the_base_version_and_leaves_the_base_alone() -> None:
    before = base()
    merged = resolve(yaml.safe_load(VARIANT), before, 3).data

    assert merged["extends"] == {"algorithm": "base-lump", "version": 3}
    assert Algorithm.model_validate(merged).extends.version == 3
    assert before == base()


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("findings:\n  diabetes: Diabetes\n", ("findings", "diabetes")),
        ("actions:\n  imaging.mri:\n    label: MRI\n", ("actions", "imaging.mri")),
        ("steps:\n  - key: culture\n    title: Culture\n", ("steps", 0, "key")),
        ("harms:\n  - key: mri-before-films\n", ("harms", 0, "key")),
    ],
)
def test_adding_a_key_the_base_has_is_an_error(text: str, path: tuple) -> None:
    resolved = merge(text)

    key = path[1] if len(path) == 2 else yaml.safe_load(text)[path[0]][0]["key"]
    message = f"'{key}' is already in base-lump v1; to change it, put it under override"
    assert resolved.problems == [(path, message)]
    assert resolved.data is None


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        (
            "override:\n  steps:\n    - key: biopsy\n      weight: critical\n",
            ("override", "steps", 0, "key"),
            "no step 'biopsy' in base-lump v1 to override",
        ),
        (
            "override:\n  harms:\n    - key: swab\n      severity: major\n",
            ("override", "harms", 0, "key"),
            "no harm 'swab' in base-lump v1 to override",
        ),
        (
            "override:\n  actions:\n    lab.crp:\n      label: CRP\n",
            ("override", "actions", "lab.crp"),
            "no action 'lab.crp' in base-lump v1 to override",
        ),
        (
            "override:\n  findings:\n    ulcer: An ulcer\n",
            ("override", "findings", "ulcer"),
            "no finding 'ulcer' in base-lump v1 to override",
        ),
        (
            "override:\n  steps:\n    - weight: critical\n",
            ("override", "steps", 0),
            "start with 'key:', naming the step of base-lump v1 to change",
        ),
        (
            "override:\n  steps:\n    - key: culture\n",
            ("override", "steps", 0),
            "this names the step but changes nothing: add the fields that change",
        ),
        (
            "override:\n  summary: Another plan.\n",
            ("override", "summary"),
            "only steps, harms, actions and findings can be overridden; "
            "give 'summary' at the top level to replace the base's",
        ),
        (
            "steps:\n  key: esr\n",
            ("steps",),
            "list the steps to add, each starting with '- key:'",
        ),
    ],
)
def test_an_override_of_what_the_base_lacks_or_a_misshapen_part_is_an_error(
    text: str, path: tuple, message: str
) -> None:
    assert merge(text).problems == [(path, message)]


def test_overriding_a_key_this_variant_adds_says_where_to_change_it() -> None:
    resolved = merge("findings:\n  ulcer: An ulcer\noverride:\n  findings:\n    ulcer: Ulcer\n")

    assert resolved.problems == [
        (
            ("override", "findings", "ulcer"),
            "no finding 'ulcer' in base-lump v1 to override; "
            "it is added by this file: change it under 'findings'",
        )
    ]


def test_a_path_of_the_merged_document_leads_back_to_the_variant() -> None:
    resolved = resolve(yaml.safe_load(VARIANT), base(), 1)

    assert resolved.origin(("steps", 2, "actions", 0)) == ("steps", 0, "actions", 0)
    assert resolved.origin(("steps", 1, "when", "any", 1)) == (
        *("override", "steps", 0),
        *("when", "any", 1),
    )
    assert resolved.origin(("actions", "imaging.mri", "label")) == (
        "override",
        "actions",
        "imaging.mri",
        "label",
    )
    assert resolved.origin(("summary",)) == ("summary",)
    assert resolved.origin(("title",)) == ("title",)
    # The base's, unchanged: the steps the variant leaves alone, the fields an
    # override does not give, the topic it does not replace.
    assert resolved.origin(("steps", 0, "citations", 0)) is None
    assert resolved.origin(("steps", 1, "citations", 0)) is None
    assert resolved.origin(("topic",)) is None


# --- validating ----------------------------------------------------------------------


def test_a_variant_before_its_base_in_the_batch_validates_merged() -> None:
    report = check(("variant.yaml", VARIANT), ("base.yaml", BASE))

    assert report.ok, "\n".join(map(str, report.problems))
    variant = document(report, "diabetic-lump")
    assert variant.extends.model_dump() == {"algorithm": "base-lump", "version": 1}
    assert [s.key for s in variant.steps] == ["radiograph", "culture", "esr"]
    assert variant.topic == "Soft-tissue lump"


def test_a_variant_of_a_variant_resolves_whatever_the_file_order() -> None:
    second = VARIANT.replace("slug: diabetic-lump", "slug: diabetic-lump-2", 1)
    grandchild = (
        "document: algorithm\nslug: grandchild\ntitle: Third\n"
        "extends:\n  algorithm: diabetic-lump-2\n"
        "override:\n  steps:\n    - key: esr\n      weight: optional\n"
    )
    report = check(("c.yaml", grandchild), ("b.yaml", second), ("a.yaml", BASE))

    assert report.ok, "\n".join(map(str, report.problems))
    merged = document(report, "grandchild")
    assert merged.extends.algorithm == "diabetic-lump-2"
    assert merged.step("esr").weight == "optional"
    assert merged.step("culture").weight == "critical"


def test_a_case_in_the_batch_is_checked_against_the_merged_variant() -> None:
    report = check(("base.yaml", BASE), ("variant.yaml", VARIANT), ("case.yaml", CASE))

    assert report.ok, "\n".join(map(str, report.problems))


def test_a_variant_extending_an_unknown_algorithm_names_it() -> None:
    report = check(("variant.yaml", HEAD.replace("base-lump", "no-such")))

    assert problems(report) == [
        "variant.yaml:5: extends.algorithm: no algorithm 'no-such' in these files "
        "or already imported"
    ]


def test_a_variant_extending_an_unknown_version_names_the_newest() -> None:
    text = VARIANT.replace("  algorithm: base-lump\n", "  algorithm: base-lump\n  version: 7\n")
    report = check(("variant.yaml", text), ("base.yaml", BASE))

    assert problems(report) == [
        "variant.yaml:6: extends.version: algorithm 'base-lump' has no version 7; the newest is 1"
    ]


def test_a_variant_extending_a_stored_version_pins_it_though_the_batch_has_a_newer() -> None:
    text = VARIANT.replace("  algorithm: base-lump\n", "  algorithm: base-lump\n  version: 1\n")
    newer = BASE.replace("title: Lump\n", "title: Lump, revised\n").replace(
        "Films first.", "Films, always."
    )
    report = check(("variant.yaml", text), ("base.yaml", newer), context=stored(BASE))

    assert report.ok, "\n".join(map(str, report.problems))
    variant = document(report, "diabetic-lump")
    assert variant.extends.version == 1
    assert base().topic == variant.topic


def test_an_unpinned_variant_extends_the_batchs_base_as_the_version_it_will_become() -> None:
    newer = BASE.replace("Films first.", "Films, always.")

    report = check(("variant.yaml", HEAD), ("base.yaml", newer), context=stored(BASE))
    assert document(report, "diabetic-lump").extends.version == 2
    assert document(report, "diabetic-lump").summary == "Films, always."

    unchanged = check(("variant.yaml", HEAD), ("base.yaml", BASE), context=stored(BASE))
    assert document(unchanged, "diabetic-lump").extends.version == 1


def test_a_variant_of_a_stored_algorithm_extends_its_newest_version() -> None:
    newer = BASE.replace("Films first.", "Films, always.")
    report = check(("variant.yaml", HEAD), context=stored(BASE, newer))

    assert report.ok, "\n".join(map(str, report.problems))
    assert document(report, "diabetic-lump").extends.version == 2
    assert document(report, "diabetic-lump").summary == "Films, always."


def test_variants_extending_each_other_are_a_loop_reported_in_each_file() -> None:
    a = "document: algorithm\nslug: a\ntitle: A\nextends:\n  algorithm: b\n"
    b = "document: algorithm\nslug: b\ntitle: B\nextends:\n  algorithm: a\n"

    report = check(("a.yaml", a), ("b.yaml", b))

    assert [str(p) for p in report.problems] == [
        "a.yaml:5: extends.algorithm: the algorithms extend each other in a loop: a extends b extends a",
        "b.yaml:5: extends.algorithm: the algorithms extend each other in a loop: b extends a extends b",
    ]


def test_a_variant_cannot_extend_itself() -> None:
    report = check(
        ("variant.yaml", HEAD.replace("algorithm: base-lump", "algorithm: diabetic-lump"))
    )

    assert problems(report) == [
        "variant.yaml:5: extends.algorithm: an algorithm cannot extend itself: "
        "name the algorithm this one builds on"
    ]


def test_override_and_added_key_problems_point_at_the_variants_lines() -> None:
    text = HEAD + (
        "findings:\n"  # 6
        "  diabetes: Diabetes\n"  # 7
        "override:\n"  # 8
        "  steps:\n"  # 9
        "    - key: biopsy\n"  # 10
        "      weight: critical\n"  # 11
    )
    report = check(("variant.yaml", text), ("base.yaml", BASE))

    assert problems(report) == [
        "variant.yaml:7: findings.diabetes: 'diabetes' is already in base-lump v1; "
        "to change it, put it under override",
        "variant.yaml:10: override.steps[0].key: no step 'biopsy' in base-lump v1 to override",
    ]
    variant = next(s for s in report.sources if s.name == "variant.yaml")
    assert variant.document is None  # nothing of it is stored


def test_problems_of_the_merged_document_point_at_the_variants_lines() -> None:
    text = HEAD + (
        "steps:\n"  # 6
        "  - key: esr\n"  # 7
        "    title: Check the ESR\n"  # 8
        "    actions: [lab.esr]\n"  # 9
        "    citations: [doe2019]\n"  # 10
        "  - key: crp\n"  # 11
        "    title: Check the CRP\n"  # 12
        "    actions: [imaging.mri]\n"  # 13
        "    after: [biopsy]\n"  # 14
        "    rationale: Why.\n"  # 15
        "    citations: [doe2019]\n"  # 16
        "override:\n"  # 17
        "  harms:\n"  # 18
        "    - key: mri-before-films\n"  # 19
        "      severity: worst\n"  # 20
        "  steps:\n"  # 21
        "    - key: culture\n"  # 22
        "      citations: [nobody1999]\n"  # 23
    )
    report = check(("variant.yaml", text), ("base.yaml", BASE))
    # The schema rejects the merged document; the steps that parse are checked all
    # the same (steps[0], which did not, only once it does).
    assert problems(report) == [
        "variant.yaml:7: steps[0].rationale: required",
        "variant.yaml:14: steps[1].after[0]: no step 'biopsy'",
        "variant.yaml:20: override.harms[0].severity: one of: critical, major, minor",
        "variant.yaml:23: override.steps[0].citations[0]: "
        "no reference 'nobody1999' in the reference library",
    ]

    fixed = text.replace("severity: worst", "severity: major").replace(
        "    citations: [doe2019]\n  - key: crp",
        "    rationale: Why.\n    citations: [doe2019]\n  - key: crp",
    )
    report = check(("variant.yaml", fixed), ("base.yaml", BASE))
    assert problems(report) == [
        "variant.yaml:9: steps[0].actions[0]: 'lab.esr' is not in the algorithm's actions",
        "variant.yaml:15: steps[1].after[0]: no step 'biopsy'",
        "variant.yaml:24: override.steps[0].citations[0]: "
        "no reference 'nobody1999' in the reference library",
    ]


def test_a_problem_the_variant_keeps_from_a_stored_base_is_reported_at_extends() -> None:
    context = stored(BASE)
    context.references = frozenset({"doe2019"})  # the library no longer has smith2020
    sources = [Source("variant.yaml", HEAD + "citations: [doe2019]\n")]

    report = validate(sources, context)

    assert "variant.yaml:4: extends: steps[0].citations[0], from base-lump v1: no reference " in (
        "\n".join(problems(report))
    )
    assert not any(p.line == 6 for p in report.problems)  # its own citations are fine


def test_a_base_in_the_batch_reports_its_own_problems_once_in_its_own_file() -> None:
    broken = BASE.replace("[doe2019]", "[nobody1999]")

    report = check(("variant.yaml", HEAD), ("base.yaml", broken))

    assert {p.file for p in report.problems} == {"base.yaml"}


def test_a_broken_base_in_the_batch_leaves_its_variant_unchecked() -> None:
    report = check(("variant.yaml", VARIANT), ("base.yaml", BASE.replace("title: Lump\n", "")))

    assert {p.file for p in report.problems} == {"base.yaml"}


def test_extends_must_name_an_algorithm() -> None:
    text = HEAD.replace("extends:\n  algorithm: base-lump\n", "extends: base-lump\n")
    report = check(("variant.yaml", text), ("base.yaml", BASE))

    assert problems(report) == [
        "variant.yaml:4: extends: name the algorithm this one builds on as "
        "'algorithm: SLUG' (and 'version: N')"
    ]


def test_a_variant_cut_at_any_line_is_reported_never_raised() -> None:
    lines = VARIANT.splitlines(keepends=True)
    for n in range(len(lines) + 1):
        report = check(("variant.yaml", "".join(lines[:n])), ("base.yaml", BASE))
        assert all(p.line >= 1 for p in report.problems)


def test_two_algorithms_with_one_slug_are_reported_whichever_is_the_variant() -> None:
    report = check(("base.yaml", BASE), ("copy.yaml", HEAD.replace("diabetic-lump", "base-lump")))

    assert "copy.yaml:2: slug: another file in this batch also has slug 'base-lump'" in problems(
        report, "copy.yaml"
    )


# --- importing ----------------------------------------------------------------------


def sources(*texts: tuple[str, str]) -> list[Source]:
    return [Source(str(LIBRARY), LIBRARY.read_text(encoding="utf-8"))] + [
        Source(name, text) for name, text in texts
    ]


def stored_version(slug: str, number: int | None = None) -> models.AlgorithmVersion:
    versions = models.AlgorithmVersion.objects.filter(algorithm__slug=slug)
    return versions.get(number=number) if number else versions.order_by("-number").first()


def test_a_variant_is_stored_resolved_and_a_case_pins_it(db: None) -> None:
    # The variant comes first: the base is imported first all the same.
    result = content_import(sources(("variant.yaml", VARIANT), ("base.yaml", BASE)))
    assert [str(item) for item in result.items][1:] == [
        "algorithm base-lump v1: new version",
        "algorithm diabetic-lump v1: new version",
    ]

    variant = stored_version("diabetic-lump")
    assert variant.document["extends"] == {"algorithm": "base-lump", "version": 1}
    assert "override" not in variant.document
    assert [s["key"] for s in variant.document["steps"]] == ["radiograph", "culture", "esr"]
    assert variant.parsed.step("culture").weight == "critical"
    assert set(variant.references) == {"smith2020", "doe2019"}
    assert variant.algorithm.topic == "Soft-tissue lump"

    pinned = CASE.replace(
        "algorithm: diabetic-lump\n", "algorithm: diabetic-lump\nalgorithm_version: 1\n"
    )
    content_import([Source("case.yaml", pinned)])
    case = models.CaseVersion.objects.get(case__slug="diabetic-heel")
    assert case.algorithm_version == variant
    assert case.document["algorithm_version"] == 1


def test_a_stored_variant_stays_frozen_when_its_base_changes(db: None) -> None:
    content_import(sources(("base.yaml", BASE), ("variant.yaml", VARIANT), ("case.yaml", CASE)))
    first = stored_version("diabetic-lump")

    newer = BASE.replace("Films first.", "Films, always.")
    content_import(sources(("base.yaml", newer)))
    assert stored_version("base-lump").number == 2
    assert stored_version("diabetic-lump") == first
    assert first.parsed.summary != "Films, always."  # the variant gave its own
    assert first.document["extends"]["version"] == 1

    # Imported again, the unpinned variant becomes a new version on the newest base.
    plain = HEAD + "override:\n  findings:\n    diabetes: Diabetes of either type\n"
    result = content_import(sources(("base.yaml", newer), ("variant.yaml", plain)))
    assert "algorithm diabetic-lump v2: new version" in [str(i) for i in result.items]
    second = stored_version("diabetic-lump", 2)
    assert second.document["extends"] == {"algorithm": "base-lump", "version": 2}
    assert second.parsed.summary == "Films, always."
    case = models.CaseVersion.objects.get(case__slug="diabetic-heel")
    assert case.algorithm_version == first  # the case keeps the version it pinned


def test_a_variant_records_the_version_its_base_is_stored_as_in_the_same_import(db: None) -> None:
    content_import(sources(("base.yaml", BASE)))
    newer = BASE.replace("Films first.", "Films, always.")

    content_import(sources(("variant.yaml", HEAD), ("base.yaml", newer)))

    assert stored_version("diabetic-lump").document["extends"] == {
        "algorithm": "base-lump",
        "version": 2,
    }
    again = content_import(sources(("variant.yaml", HEAD), ("base.yaml", newer)))
    assert {item.created for item in again.items} == {False}


def test_a_broken_variant_imports_nothing(db: None) -> None:
    broken = VARIANT.replace("- key: culture\n      weight", "- key: biopsy\n      weight")

    with pytest.raises(ContentInvalid) as raised:
        content_import(sources(("base.yaml", BASE), ("variant.yaml", broken)))

    assert [str(p) for p in raised.value.report.problems] == [
        "variant.yaml:32: override.steps[0].key: no step 'biopsy' in base-lump v1 to override"
    ]
    assert not models.AlgorithmVersion.objects.exists()


def test_the_authoring_guides_variant_validates_on_the_example_algorithm() -> None:
    guide = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")
    section = guide.split("### Variants: extending an algorithm", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    examples = [REPO / "docs" / "examples" / name for name in ("library.yaml", "algorithm.yaml")]

    report = validate(
        [
            *(Source(str(p), p.read_text(encoding="utf-8")) for p in examples),
            Source("variant.yaml", example),
        ]
    )

    assert report.ok, "\n".join(map(str, report.problems))
    variant = document(report, "example-ankle-child")
    assert variant.step("radiograph").when.any == ["rule_positive", "physis_tender"]
    assert variant.harms[-1].key == "comparison-views"
