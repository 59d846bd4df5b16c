"""A readable difference between two versions of a case.

Both versions are written out as the YAML an author reads (``yamlmap.dump``),
so the difference is in the author's words: field by field, line by line.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from cases.yamlmap import dump

Kind = Literal["hunk", "same", "added", "removed"]


@dataclass(frozen=True)
class DiffLine:
    kind: Kind
    old: int | None  # line number in the old text
    new: int | None  # line number in the new text
    text: str

    @property
    def sign(self) -> str:
        return {"added": "+", "removed": "−", "same": " ", "hunk": ""}[self.kind]


@dataclass(frozen=True)
class Diff:
    old_label: str
    new_label: str
    lines: tuple[DiffLine, ...]

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.kind == "added")

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.kind == "removed")

    @property
    def same(self) -> bool:
        return not self.lines


def document_text(document: dict) -> str:
    return dump(document) if document else ""


def text_diff(old: str, new: str, *, old_label: str, new_label: str, context: int = 3) -> Diff:
    """Lines changed between two texts, with ``context`` unchanged lines around each change."""
    lines: list[DiffLine] = []
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        lines.append(
            DiffLine(
                "hunk",
                first[1] + 1,
                first[3] + 1,
                f"Lines {first[1] + 1}–{last[2]} → {first[3] + 1}–{last[4]}",
            )
        )
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [
                    DiffLine("same", i + 1, j + 1, old_lines[i])
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                ]
                continue
            if tag in ("replace", "delete"):
                lines += [DiffLine("removed", i + 1, None, old_lines[i]) for i in range(i1, i2)]
            if tag in ("replace", "insert"):
                lines += [DiffLine("added", None, j + 1, new_lines[j]) for j in range(j1, j2)]
    return Diff(old_label, new_label, tuple(lines))


def document_diff(old: dict, new: dict, *, old_label: str, new_label: str) -> Diff:
    return text_diff(
        document_text(old), document_text(new), old_label=old_label, new_label=new_label
    )
