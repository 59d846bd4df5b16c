"""What the validator says: each shape error in words an author understands (never
pydantic's "Input should be a valid integer"), and as many problems as one pass can
find, the cross-field rules included, when the schema rejects part of a document."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import pytest
from pydantic import AnyUrl, Field, TypeAdapter, ValidationError

from cases.messages import schema_message
from cases.schema import MAX_OPTIONS, MAX_STAGES
from cases.validate import Report, Source, validate
from cases.yamlmap import dump, load
from tests.cases.helpers import ALGORITHM, BROKEN, CASE, LIBRARY, source

# Pydantic's wording, which no message may keep.
PYDANTIC = ("input should", "after validation", "should have at", "valid integer", "valid string")

Change = Callable[[dict], object]


def fixture(path: Any) -> dict:
    return load(path.read_text(encoding="utf-8")).data  # type: ignore[return-value]


def check(name: str, data: dict, *others: Any) -> Report:
    """Validate ``data`` as the file ``name`` beside the valid fixtures it does not replace."""
    return validate([*(source(p) for p in others), Source(name, dump(data))])


def shown(report: Report, name: str) -> list[str]:
    """The problems of ``name``, each as ``field: message``, in alphabetical order."""
    return sorted(
        f"{p.field or '(document)'}: {p.message}" for p in report.problems if p.file == name
    )


def changed(path: Any, change: Change) -> dict:
    data = copy.deepcopy(fixture(path))
    change(data)
    return data


def case_problems(change: Change) -> list[str]:
    return shown(check("case.yaml", changed(CASE, change), LIBRARY, ALGORITHM), "case.yaml")


def algorithm_problems(change: Change) -> list[str]:
    return shown(check("algorithm.yaml", changed(ALGORITHM, change), LIBRARY), "algorithm.yaml")


def library_problems(change: Change) -> list[str]:
    return shown(check("library.yaml", changed(LIBRARY, change)), "library.yaml")


def intro(data: dict) -> dict:
    return data["stages"]["intro"]["decision"]


def option(data: dict, stage: str = "intro", index: int = 0) -> dict:
    return data["stages"][stage]["decision"]["options"][index]


def step(data: dict, index: int = 0) -> dict:
    return data["steps"][index]


def reference(data: dict) -> dict:
    return data["references"][0]


# --- each kind of shape error, in words ------------------------------------------------

CASE_MESSAGES: list[tuple[str, Change, str]] = [
    (
        "too_short",
        lambda d: intro(d).update(options=intro(d)["options"][:1]),
        "stages.intro.decision.options: give this decision at least 2 options",
    ),
    (
        "too_long",
        lambda d: intro(d).update(options=intro(d)["options"] * (MAX_OPTIONS // 2 + 1)),
        f"stages.intro.decision.options: at most {MAX_OPTIONS} options are allowed",
    ),
    (
        "too_short_stages",
        lambda d: d.update(stages={"intro": d["stages"]["intro"]}),
        "stages: give the case at least 2 stages",
    ),
    ("int_parsing", lambda d: d.update(minutes="soon"), "minutes: a whole number is needed here"),
    ("int_type", lambda d: d["patient"].update(age=[60]), "patient.age: a whole number is needed"),
    ("int_from_float", lambda d: d.update(minutes=2.5), "minutes: a whole number is needed here"),
    ("greater_than_equal", lambda d: d.update(minutes=0), "minutes: must be at least 1"),
    ("less_than_equal", lambda d: d.update(minutes=500), "minutes: must be at most 240"),
    (
        "greater_than_equal_version",
        lambda d: d.update(algorithm_version=0),
        "algorithm_version: must be at least 1",
    ),
    (
        "enum",
        lambda d: intro(d).update(type="many"),
        "stages.intro.decision.type: one of: one, several, order",
    ),
    (
        "enum_expect",
        lambda d: option(d).update(expect="good"),
        "stages.intro.decision.options[0].expect: one of: best, acceptable, low_value, "
        "premature, not_indicated, harmful_minor, harmful_major, harmful_critical",
    ),
    (
        "enum_outcome",
        lambda d: d["stages"]["end-good"].update(outcome="great"),
        "stages.end-good.outcome: one of: good, fair, poor",
    ),
    ("literal_error", lambda d: d["patient"].update(sex="f"), "patient.sex: one of: female, "),
    (
        "list_type_actions",
        lambda d: option(d).update(actions="imaging.radiograph"),
        "stages.intro.decision.options[0].actions: a list is needed here, e.g. "
        "[imaging.radiograph]",
    ),
    (
        "list_type_citations",
        lambda d: option(d).update(citations="smith2020"),
        "stages.intro.decision.options[0].citations: a list is needed here, e.g. [smith2020]",
    ),
    (
        "list_type_options",
        lambda d: intro(d).update(options="films"),
        "stages.intro.decision.options: a list is needed here: start each item on a new line",
    ),
    (
        "list_type_condition",
        lambda d: d["stages"]["films"]["decision"]["next"][0]["when"].update(all="warm"),
        "stages.films.decision.next[0].when.all: a list is needed here, e.g. [fever]",
    ),
    (
        "dict_type_stages",
        lambda d: d.update(stages=["intro", "films"]),
        "stages: a mapping of stage keys to their fields is needed here",
    ),
    (
        "dict_type_findings",
        lambda d: d.update(findings=["warm"]),
        "findings: a mapping of finding keys to what they mean is needed here",
    ),
    (
        "model_type",
        lambda d: d.update(patient="a man of 60"),
        "patient: a mapping of fields is needed here",
    ),
    (
        "model_type_condition",
        lambda d: d["stages"]["films"]["decision"]["next"][0].update(when=["warm"]),
        "stages.films.decision.next[0].when: a condition is needed here, e.g. {all: [fever]",
    ),
    ("missing", lambda d: d.pop("title"), "title: required"),
    ("string_type_none", lambda d: d.update(title=None), "title: must not be empty"),
    (
        "string_type_number",
        lambda d: d.update(title=12),
        "title: text is needed here, not a number; to mean it as text, put it in quotes: '12'",
    ),
    (
        "string_type_list",
        lambda d: d.update(presentation=["a", "b"]),
        "presentation: one piece of text is needed here, not a list",
    ),
    ("too_short_text", lambda d: d.update(title="  "), "title: must not be empty"),
    (
        "string_too_short",
        lambda d: d["stages"]["intro"].update(narrative=""),
        "stages.intro.narrative: must not be empty",
    ),
    (
        "string_too_long",
        lambda d: d.update(slug="a" * 81),
        "slug: is too long: at most 80 characters are allowed",
    ),
    (
        "string_pattern_mismatch",
        lambda d: d.update(slug="Test Case"),
        "slug: use lower-case letters, digits, '-' and '_'",
    ),
    (
        "string_pattern_mismatch_action",
        lambda d: option(d).update(actions=["radiograph"]),
        "stages.intro.decision.options[0].actions[0]: an action key is a category and a name",
    ),
    (
        "extra_forbidden",
        lambda d: option(d).update(feedbak="Typo."),
        "stages.intro.decision.options[0].feedbak: is not a field here; check its spelling",
    ),
    (
        "union_next",
        lambda d: option(d).update(next=5),
        "stages.intro.decision.options[0].next: give the key of the next stage, or a list of "
        "routes",
    ),
    (
        "union_route",
        lambda d: option(d).update(next=["films"]),
        "stages.intro.decision.options[0].next[0]: a route is a mapping with a 'stage'",
    ),
    (
        "union_next_key",
        lambda d: option(d).update(next="Films"),
        "stages.intro.decision.options[0].next: use lower-case letters",
    ),
]

ALGORITHM_MESSAGES: list[tuple[str, Change, str]] = [
    ("too_short_steps", lambda d: d.update(steps=[]), "steps: give the algorithm at least 1 step"),
    ("too_short_findings", lambda d: d.update(findings={}), "findings: declare at least 1 finding"),
    ("too_short_actions", lambda d: d.update(actions={}), "actions: declare at least 1 action"),
    (
        "too_short_step_actions",
        lambda d: step(d).update(actions=[]),
        "steps[0].actions: name at least 1 action",
    ),
    ("weight_word", lambda d: step(d).update(weight="heavy"), "steps[0].weight: a weight is"),
    (
        "weight_number",
        lambda d: step(d).update(weight=0),
        "steps[0].weight: a weight is critical, essential, recommended or optional, or a "
        "number of points more than 0 and at most 100",
    ),
    ("within", lambda d: step(d).update(within=-1), "steps[0].within: must be at least 0"),
    (
        "list_type_after",
        lambda d: step(d, 1).update(after="radiograph"),
        "steps[1].after: a list is needed here, e.g. [radiograph]",
    ),
    (
        "fact_pattern",
        lambda d: d["harms"][0].update(unless_after=["Imaging"]),
        "harms[0].unless_after[0]: a finding key or an action key, e.g. fever or "
        "imaging.radiograph",
    ),
    (
        "key_pattern_in_mapping",
        lambda d: d["findings"].update(Fever="A fever"),
        "findings.Fever: use lower-case letters",
    ),
    (
        "string_too_long_markdown",
        lambda d: step(d).update(rationale="x" * 20_001),
        "steps[0].rationale: is too long: at most 20000 characters are allowed",
    ),
    (
        "enum_severity",
        lambda d: d["harms"][0].update(severity="worst"),
        "harms[0].severity: one of: critical, major, minor",
    ),
]

LIBRARY_MESSAGES: list[tuple[str, Change, str]] = [
    ("year_low", lambda d: reference(d).update(year=202), "references[0].year: must be at least"),
    ("year_high", lambda d: reference(d).update(year=3000), "references[0].year: must be at most"),
    ("year_text", lambda d: reference(d).update(year="2020a"), "year: a whole number is needed"),
    (
        "kind",
        lambda d: reference(d).update(kind="paper"),
        "references[0].kind: one of: guideline, consensus, systematic_review, trial, cohort, "
        "case_series, case_report, review, expert_opinion",
    ),
    (
        "unconfirmed",
        lambda d: reference(d).update(unconfirmed=["isbn"]),
        "references[0].unconfirmed[0]: one of: pmid, doi, authors, title, journal, details, year",
    ),
    ("pmid", lambda d: reference(d).update(pmid="PMID1"), "references[0].pmid: a PMID is digits"),
    (
        "too_short_references",
        lambda d: d.update(references=[]),
        "references: list at least 1 reference",
    ),
]


def assert_plain(messages: list[str]) -> None:
    for message in messages:
        assert not any(words in message.lower() for words in PYDANTIC), message


@pytest.mark.parametrize(
    ("change", "expected"), [c[1:] for c in CASE_MESSAGES], ids=[c[0] for c in CASE_MESSAGES]
)
def test_a_case_shape_error_reads_as_words(change: Change, expected: str) -> None:
    problems = case_problems(change)
    assert any(expected in p for p in problems), "\n".join(problems)
    assert_plain(problems)


@pytest.mark.parametrize(
    ("change", "expected"),
    [c[1:] for c in ALGORITHM_MESSAGES],
    ids=[c[0] for c in ALGORITHM_MESSAGES],
)
def test_an_algorithm_shape_error_reads_as_words(change: Change, expected: str) -> None:
    problems = algorithm_problems(change)
    assert any(expected in p for p in problems), "\n".join(problems)
    assert_plain(problems)


@pytest.mark.parametrize(
    ("change", "expected"),
    [c[1:] for c in LIBRARY_MESSAGES],
    ids=[c[0] for c in LIBRARY_MESSAGES],
)
def test_a_library_shape_error_reads_as_words(change: Change, expected: str) -> None:
    problems = library_problems(change)
    assert any(expected in p for p in problems), "\n".join(problems)
    assert_plain(problems)


def test_a_variant_names_its_base_in_words() -> None:
    variant = (
        "document: algorithm\nslug: variant\ntitle: V\n"
        "extends:\n  algorithm: test-algorithm\n  version: 0\n"
    )
    report = validate([source(LIBRARY), source(ALGORITHM), Source("variant.yaml", variant)])
    assert shown(report, "variant.yaml") == ["extends.version: must be at least 1"]


# Error types the documents' models cannot raise today, from pydantic itself: a field
# added later gets a plain message too.
OTHER_TYPES: list[tuple[Any, object, str]] = [
    (bool, "maybe", "must be true or false"),
    (float, "lots", "a number is needed here"),
    (
        Annotated[float, Field(allow_inf_nan=False)],
        float("inf"),
        "must be a finite number, not .inf or .nan",
    ),
    (Annotated[float, Field(lt=1)], 2, "must be less than 1"),
    (Annotated[int, Field(multiple_of=5)], 7, "must be a multiple of 5"),
    (int, "9" * 5000, "this number is too large"),
    (AnyUrl, "not a url", "a web address is needed here, e.g. https://www.example.org/"),
    (date, "someday", "a date is needed here, e.g. 2024-05-31"),
    (None, 1, "must be left empty"),
]


@pytest.mark.parametrize(("kind", "value", "expected"), OTHER_TYPES)
def test_every_pydantic_error_type_reads_as_words(kind: Any, value: object, expected: str) -> None:
    with pytest.raises(ValidationError) as raised:
        TypeAdapter(kind).validate_python(value)
    (item,) = raised.value.errors()
    assert schema_message(("field",), dict(item)) == expected
    assert_plain([expected])


@pytest.mark.parametrize(
    ("msg", "expected"),
    [
        ("Input should be a valid thing", "must be a valid thing"),
        (
            "Value should have at least 3 items after validation, not 1",
            "must have at least 3 items, not 1",
        ),
        ("Value error, the dates are the wrong way round", "the dates are the wrong way round"),
    ],
)
def test_an_unknown_error_type_loses_pydantics_wording(msg: str, expected: str) -> None:
    assert schema_message(("field",), {"type": "something_new", "msg": msg}) == expected


def test_no_broken_file_reports_in_pydantics_words() -> None:
    for path in sorted(BROKEN.glob("*.yaml")):
        report = validate([source(LIBRARY), source(ALGORITHM), source(path)])
        assert_plain([p.message for p in report.problems])


# --- one pass reports what it can ------------------------------------------------------


def uncite(data: dict) -> None:
    option(data, "films", 2)["citations"] = []


def test_a_schema_error_and_a_rule_in_other_stages_are_reported_at_once() -> None:
    def change(data: dict) -> None:
        intro(data)["options"] = intro(data)["options"][:1]  # the schema rejects this stage
        uncite(data)  # a rule of a stage that parses

    problems = case_problems(change)

    assert problems == [
        "stages.films.decision.options[2].citations: cite at least one reference",
        "stages.intro.decision.options: give this decision at least 2 options",
    ]


def test_the_parts_that_parse_are_checked_against_the_algorithm() -> None:
    def change(data: dict) -> None:
        data["patient"]["age"] = "sixty"
        option(data, "films", 0)["actions"] = ["micro.biopsy"]
        option(data, "films", 1)["actions"] = []
        del option(data, "plan", 0)["expect"]
        data["stages"]["films"]["findings"][0]["key"] = "abscess"
        data["stages"]["swabbed"]["decision"]["next"] = "end-poor"
        data["stages"]["orphan"] = {"title": "O", "narrative": "N.", "outcome": "poor"}

    problems = case_problems(change)

    films = "stages.films.decision.options"
    assert problems == [
        "patient.age: a whole number is needed here",
        f"{films}[0].actions[0]: 'micro.biopsy' is not in the algorithm's actions",
        f"{films}[1].actions: every option does something the rubric can judge: name at least "
        "one action; to choose to wait, name a waiting action such as wait.watchful_waiting",
        "stages.films.findings[0].key: 'abscess' is not a declared finding",
        "stages.orphan: stage 'orphan' cannot be reached from the start",
        "stages.plan.decision.options[0].expect: give the verdict you expect the rubric to give "
        "this option (expect: best, acceptable, low_value, premature, not_indicated or "
        "harmful_minor/major/critical): validation proves it on every path",
        "stages.swabbed.decision.next: no stage 'end-poor'",
        "stages.swabbed: no path from stage 'swabbed' reaches an end",
    ]


def test_nothing_is_guessed_about_a_stage_that_did_not_parse() -> None:
    def change(data: dict) -> None:
        # The only way to 'swabbed' and to 'end-fair' is through 'films', which the
        # schema rejects: neither is said to be cut off, nor is 'films' missing.
        data["stages"]["films"]["narrative"] = None
        data["start"] = "films"

    problems = case_problems(change)

    assert problems == ["stages.films.narrative: must not be empty"]


def test_a_case_is_not_checked_against_an_algorithm_it_cannot_name() -> None:
    def change(data: dict) -> None:
        data["algorithm_version"] = "latest"  # which algorithm it means is not known
        option(data, "films", 0)["actions"] = ["micro.biopsy"]
        uncite(data)

    problems = case_problems(change)

    assert problems == [
        "algorithm_version: a whole number is needed here",
        "stages.films.decision.options[2].citations: cite at least one reference",
    ]


def test_a_rejected_case_still_says_its_algorithm_is_missing() -> None:
    def change(data: dict) -> None:
        data["title"] = ""
        data["algorithm"] = "no-such-algorithm"
        option(data, "films", 0)["actions"] = ["micro.biopsy"]

    problems = case_problems(change)

    assert problems == ["algorithm: no algorithm 'no-such-algorithm'", "title: must not be empty"]


def test_a_case_of_a_rejected_algorithm_is_not_checked_against_it() -> None:
    algorithm = changed(ALGORITHM, lambda d: d.update(summary=""))
    case = changed(CASE, lambda d: (d.update(title=""), uncite(d)))
    report = validate(
        [
            source(LIBRARY),
            Source("algorithm.yaml", dump(algorithm)),
            Source("case.yaml", dump(case)),
        ]
    )

    assert shown(report, "case.yaml") == [
        "stages.films.decision.options[2].citations: cite at least one reference",
        "title: must not be empty",
    ]
    assert shown(report, "algorithm.yaml") == ["summary: must not be empty"]


def test_the_steps_and_harms_that_parse_are_checked() -> None:
    def change(data: dict) -> None:
        del step(data, 0)["rationale"]  # the schema rejects this step
        step(data, 1)["citations"] = ["nobody1999"]
        step(data, 1)["before"] = ["imaging.ct"]
        step(data, 1)["after"] = ["radiograph", "biopsy"]
        data["harms"][0]["citations"] = []
        data["harms"][1]["when"] = {"any": ["fever"]}
        del data["actions"]["lab.crp"]["rationale"]

    problems = algorithm_problems(change)

    assert problems == [
        "actions.lab.crp.rationale: say why this action is or is not done: it explains a "
        "verdict of not indicated, premature or low value",
        "harms[0].citations: cite at least one reference",
        "harms[1].when.any[0]: 'fever' is not a declared finding",
        "steps[0].rationale: required",
        "steps[1].after[1]: no step 'biopsy'",
        "steps[1].before[0]: 'imaging.ct' is not in the algorithm's actions",
        "steps[1].citations[0]: no reference 'nobody1999' in the reference library",
    ]


def test_an_algorithm_whose_vocabulary_did_not_parse_is_not_checked_against_it() -> None:
    def change(data: dict) -> None:
        data["actions"]["Radiograph"] = data["actions"].pop("imaging.radiograph")
        data["findings"] = ["diabetes"]
        step(data, 1)["before"] = ["imaging.ct"]
        step(data, 1)["when"] = {"all": ["fever"]}
        step(data, 1)["citations"] = []

    problems = algorithm_problems(change)

    assert problems == [
        "actions.Radiograph: an action key is a category and a name joined by a dot, e.g. "
        "imaging.radiograph",
        "findings: a mapping of finding keys to what they mean is needed here, e.g. fever: "
        "Temperature above 38 °C",
        "steps[1].citations: cite at least one reference",
    ]


def test_a_problem_is_reported_once() -> None:
    def change(data: dict) -> None:
        data["title"] = ""
        uncite(data)

    problems = case_problems(change)

    assert len(problems) == len(set(problems)) == 2


def test_a_case_over_the_stage_limit_is_not_checked_further() -> None:
    def change(data: dict) -> None:
        for i in range(MAX_STAGES):
            data["stages"][f"extra-{i}"] = {
                "title": "More",
                "narrative": "More.",
                "outcome": "fair",
            }
        uncite(data)

    problems = case_problems(change)

    assert problems == [f"stages: at most {MAX_STAGES} stages are allowed"]
