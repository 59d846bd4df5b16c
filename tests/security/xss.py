"""Content in which every author-written text carries an XSS vector."""

from __future__ import annotations

from itertools import cycle
from pathlib import Path

from cases.services import content_import
from cases.validate import Source, read_sources
from cases.yamlmap import dump, load

VECTORS = [
    line
    for line in (Path(__file__).parent / "xss_vectors.txt").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
CONTENT = Path(__file__).resolve().parents[2] / "cases" / "content"
# Free text an author writes and a learner reads; keys, slugs and codes are
# validated patterns and cannot carry markup.
AUTHORED = {
    "title", "summary", "presentation", "narrative", "prompt", "label", "feedback",
    "rationale", "report", "value", "evidence", "description", "authors", "journal",
}  # fmt: skip


def poison(data: object, vectors, field: str = "") -> object:
    if isinstance(data, dict):
        return {key: poison(value, vectors, str(key)) for key, value in data.items()}
    if isinstance(data, list):
        return [poison(item, vectors, field) for item in data]
    if isinstance(data, str) and field in AUTHORED:
        return f"{data} {next(vectors)}"
    return data


def import_poisoned_content() -> None:
    """Re-import the bundled content with a vector appended to every authored
    text (the content has far more texts than there are vectors, so every
    vector lands in many kinds of field)."""
    vectors = cycle(VECTORS)
    sources, _ = read_sources([CONTENT])
    poisoned = [Source(s.name, dump(poison(load(s.text).data, vectors))) for s in sources]
    content_import(poisoned)
