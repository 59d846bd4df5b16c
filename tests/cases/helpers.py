"""Shared helpers for the content tests: the fixture files and how to validate them."""

from __future__ import annotations

from pathlib import Path

from cases.validate import Report, Source, validate

HERE = Path(__file__).parent
VALID = HERE / "valid"
BROKEN = HERE / "broken"
REPO = HERE.parent.parent
LIBRARY = VALID / "library.yaml"
ALGORITHM = VALID / "algorithm.yaml"
CASE = VALID / "case.yaml"
VALID_FILES = [LIBRARY, ALGORITHM, CASE]


def source(path: Path) -> Source:
    return Source(str(path), path.read_text(encoding="utf-8"))


def validate_files(*paths: Path) -> Report:
    return validate([source(path) for path in paths])
