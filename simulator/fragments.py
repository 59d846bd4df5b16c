"""The player's stage and the debrief, each rendered once and reused.

What a stage shows — the header and progress, the feedback on the last
decision, the findings, the next decision's choices and the references — is a
pure function of the frozen case version, the mode and the choices made: two
residents on the same path see the same HTML. It is rendered once, in page
order (citations are numbered as the page first cites them, so the parts are
one cache entry, never separate ones), and kept in the ``fragments`` cache.

Nothing about the user is in it: the form around the choices (its action
names the attempt, its CSRF token is the user's), the notice of a stale post,
the debrief link and the page around the stage are drawn per request by
``simulator/play.html``. A refused choice (its form refilled as sent) and an
author's preview are never cached.

The debrief's explanation (the scorecard, critical errors, each decision,
the outcome, the steps judged and the references) is likewise a pure function
of the version, the choices and the stored score's result; the page around
it (whose attempt, when it finished, the way back) is drawn per request by
``simulator/debrief.html``, so a director reading a resident's attempt reads
the same rendering as the resident.

The key names everything the parts depend on: the version and its content
hash, the mode (the stage's) or the stored result (the debrief's), the
rubric version, the choices, and ``revision()``, a hash of the templates and
of the code that builds the parts, so a deployment that changes either never
serves what the previous one rendered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from scoring.rubric import RUBRIC_VERSION

STAGE_TEMPLATE = "simulator/_stage_parts.html"
STAGE_PARTS = ("header", "feedback", "findings", "fields", "debrief", "references")
DEBRIEF_TEMPLATE = "simulator/_debrief_parts.html"
DEBRIEF_PARTS = ("body",)
CACHE = "fragments"
# Entries are immutable; the timeout only lets a store forget old revisions.
TIMEOUT = 7 * 24 * 3600


@cache
def revision() -> str:
    """A hash of every template and of the three apps' code, once per process."""
    digest = hashlib.sha256()
    roots = [
        Path(settings.BASE_DIR) / name for name in ("templates", "simulator", "cases", "scoring")
    ]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".html", ".py") and path.is_file():
                digest.update(path.relative_to(settings.BASE_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _digest(value: object) -> str:
    return hashlib.sha256(
        json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
    ).hexdigest()


def stage_key(version_pk: int, content_hash: str, mode: str, choices: list[list[str]]) -> str:
    sent = _digest(choices)
    return f"stage:{revision()}:{RUBRIC_VERSION}:{version_pk}:{content_hash}:{mode}:{sent}"


def debrief_key(
    version_pk: int, content_hash: str, choices: list[list[str]], result: Mapping[str, object]
) -> str:
    """The stored result, not the score's id: residents (and a rescore) with
    the same result share the rendering, and any difference in it is a new key."""
    sent, scored = _digest(choices), _digest(result)
    return f"debrief:{revision()}:{RUBRIC_VERSION}:{version_pk}:{content_hash}:{sent}:{scored}"


class Parts(Mapping[str, SafeString]):
    """The partials ``names`` of ``template``, rendered on first use from
    ``context`` (or read from the cache under ``key``; None renders them and
    keeps nothing)."""

    def __init__(
        self,
        template: str,
        names: tuple[str, ...],
        context: Callable[[], Mapping[str, object]],
        key: str | None,
    ) -> None:
        self._template = template
        self._names = names
        self._context = context
        self._key = key
        self._parts: dict[str, SafeString] | None = None

    def _load(self) -> dict[str, SafeString]:
        if self._parts is None:
            store = caches[CACHE]
            found = store.get(self._key) if self._key else None
            if found is None:
                context = self._context()
                found = {
                    name: render_to_string(f"{self._template}#{name}", context)
                    for name in self._names
                }
                if self._key:
                    store.set(self._key, found, TIMEOUT)
            self._parts = {name: SafeString(html) for name, html in found.items()}
        return self._parts

    def __getitem__(self, name: str) -> SafeString:
        return self._load()[name]

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
