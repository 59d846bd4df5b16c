"""Each file in ``broken/`` breaks one rule and says, on its first line, the
problem the validator must report: ``# expect: LINE: FIELD: MESSAGE``."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cases.validate import Problem
from tests.cases.helpers import ALGORITHM, BROKEN, LIBRARY, validate_files

BROKEN_FILES = sorted(BROKEN.glob("*.yaml"))


def expectation(path: Path) -> tuple[int, str, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: '"
    line, field, message = first.removeprefix("# expect: ").split(": ", 2)
    return int(line), "" if field == "(document)" else field, message


def test_the_corpus_covers_many_rules() -> None:
    assert len(BROKEN_FILES) >= 40


@pytest.mark.parametrize("path", BROKEN_FILES, ids=lambda path: path.stem)
def test_a_broken_file_reports_its_problem_at_its_line(path: Path) -> None:
    line, field, message = expectation(path)
    started = time.monotonic()
    report = validate_files(LIBRARY, ALGORITHM, path)
    assert time.monotonic() - started < 5, "validation must not hang"

    assert not report.ok
    assert {p.file for p in report.problems} == {str(path)}, "the valid fixtures stay valid"
    matching = [
        p
        for p in report.problems
        if (p.file, p.line, p.field) == (str(path), line, field) and message in p.message
    ]
    shown = "\n".join(str(p) for p in report.problems)
    assert matching, f"expected {path}:{line}: {field or '(document)'}: {message}\ngot:\n{shown}"
    assert all(isinstance(p, Problem) and p.line >= 1 for p in report.problems)
