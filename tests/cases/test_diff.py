"""The readable difference between two versions of a case."""

from __future__ import annotations

import yaml

from cases.diff import document_diff, text_diff
from tests.cases.helpers import CASE


def case_document() -> dict:
    return yaml.safe_load(CASE.read_text(encoding="utf-8"))


def test_identical_versions_have_no_difference() -> None:
    diff = document_diff(case_document(), case_document(), old_label="v1", new_label="v2")
    assert diff.same
    assert (diff.added, diff.removed) == (0, 0)


def test_a_changed_title_shows_the_old_line_removed_and_the_new_one_added() -> None:
    old, new = case_document(), case_document()
    new["title"] = "A lump on the heel"
    diff = document_diff(old, new, old_label="version 1", new_label="version 2")

    changed = [(line.kind, line.text) for line in diff.lines if line.kind in ("added", "removed")]
    assert changed == [
        ("removed", "title: A lump on the foot"),
        ("added", "title: A lump on the heel"),
    ]
    assert (diff.added, diff.removed) == (1, 1)
    assert diff.lines[0].kind == "hunk"
    # Unchanged lines around the change give it context, with both line numbers.
    same = [line for line in diff.lines if line.kind == "same"]
    assert same and all(line.old is not None and line.new is not None for line in same)


def test_a_new_stage_appears_as_added_lines_under_its_key() -> None:
    old, new = case_document(), case_document()
    new["stages"]["follow-up"] = {"title": "Follow-up", "narrative": "Seen at six weeks."}
    diff = document_diff(old, new, old_label="v1", new_label="v2")
    added = [line.text for line in diff.lines if line.kind == "added"]
    assert added == ["  follow-up:", "    title: Follow-up", "    narrative: Seen at six weeks."]
    assert diff.removed == 0


def test_multi_line_markdown_is_compared_line_by_line() -> None:
    old = {"narrative": "First line.\nSecond line.\nThird line.\n"}
    new = {"narrative": "First line.\nA changed line.\nThird line.\n"}
    diff = document_diff(old, new, old_label="v1", new_label="v2")
    assert [(line.sign, line.text) for line in diff.lines if line.kind != "same"][1:] == [
        ("−", "  Second line."),
        ("+", "  A changed line."),
    ]


def test_far_apart_changes_make_separate_hunks_with_line_numbers() -> None:
    old = "\n".join(f"line {i}" for i in range(1, 41))
    new = old.replace("line 2\n", "line two\n").replace("line 38", "line thirty-eight")
    diff = text_diff(old, new, old_label="a", new_label="b")
    hunks = [line for line in diff.lines if line.kind == "hunk"]
    assert len(hunks) == 2
    removed = [(line.old, line.text) for line in diff.lines if line.kind == "removed"]
    assert removed == [(2, "line 2"), (38, "line 38")]


def test_an_empty_document_diffs_against_everything_added() -> None:
    diff = document_diff({}, {"title": "New"}, old_label="nothing", new_label="v1")
    assert [line.text for line in diff.lines if line.kind == "added"] == ["title: New"]
