"""What every page may say about scoring."""

from __future__ import annotations

from scoring.rubric import RUBRIC_VERSION


def rubric(request) -> dict[str, int]:
    """The rubric version the pages' scores are counted under."""
    return {"rubric_version": RUBRIC_VERSION}
