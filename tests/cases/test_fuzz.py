"""Whatever text arrives, ``validate()`` answers with problems, never an exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cases.validate import Report, Source, validate
from tests.cases.helpers import VALID_FILES

FIXTURES = {path.name: path.read_text(encoding="utf-8") for path in VALID_FILES}
FUZZ = settings(max_examples=200, deadline=None)


def check(text: str, *, with_fixtures: bool = True) -> Report:
    others = [Source(name, text) for name, text in FIXTURES.items() if name != "case.yaml"]
    report = validate([*(others if with_fixtures else []), Source("fuzzed.yaml", text)])
    assert all(problem.line >= 1 for problem in report.problems)
    assert all("\n" not in problem.message for problem in report.problems)
    return report


@FUZZ
@given(st.text())
def test_random_text_never_raises(text: str) -> None:
    check(text)


@FUZZ
@given(st.binary(), st.sampled_from(["replace", "surrogateescape", "ignore"]))
def test_random_bytes_decoded_leniently_never_raise(data: bytes, errors: str) -> None:
    check(data.decode("utf-8", errors=errors))


YAMLISH = st.sampled_from(
    [":", "-", " ", "\n", "  ", "[", "]", "{", "}", "&a", "*a", "<<", "!!int", "!!str", "?",
     "'", '"', "|", ">", "#", "document", "case", "library", "algorithm", "stages", "next",
     "2020-13-45", "1e9", "null", "~", "yes", "---", "...", "\t", "%YAML 1.1"]
)  # fmt: skip


@FUZZ
@given(st.lists(YAMLISH, max_size=60).map("".join))
def test_yaml_shaped_noise_never_raises(text: str) -> None:
    check(text, with_fixtures=False)


@FUZZ
@given(st.sampled_from(sorted(FIXTURES)), st.data())
def test_every_truncation_of_a_valid_file_is_reported_not_raised(name: str, data) -> None:
    text = FIXTURES[name]
    cut = data.draw(st.integers(min_value=0, max_value=len(text)))
    check(text[:cut])


def test_the_valid_fixtures_truncated_at_every_line_never_raise() -> None:
    for text in FIXTURES.values():
        lines = text.splitlines(keepends=True)
        for n in range(len(lines) + 1):
            check("".join(lines[:n]))


@st.composite
def mutated(draw) -> str:
    lines = FIXTURES[draw(st.sampled_from(sorted(FIXTURES)))].splitlines()
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not lines:
            break
        i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        how = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "swap"]))
        if how == "delete":
            del lines[i]
        elif how == "duplicate":
            lines.insert(i, lines[i])
        elif how == "indent":
            lines[i] = " " * draw(st.integers(min_value=1, max_value=4)) + lines[i]
        elif how == "dedent":
            lines[i] = lines[i][draw(st.integers(min_value=1, max_value=4)) :]
        else:
            j = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines) + "\n"


@FUZZ
@given(mutated())
def test_a_mutated_valid_file_is_reported_not_raised(text: str) -> None:
    check(text)
