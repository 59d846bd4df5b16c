"""Frozen documents, parsed once per worker process instead of once per request.

Every page of an attempt needs its case and algorithm as pydantic models.
Loading them from the row meant decoding two large JSON columns and validating
them on every request: two thirds of a choice's time in `make bench`'s profile
(docs/operations.md). A version an attempt is played on is published, hence
frozen; the key includes the content hash besides the primary key, so a draft
edited in place (a new hash) is never served stale.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any

from cases import schema
from cases.models import CaseVersion

# Columns a page never needs once the parsed documents are at hand.
DEFERRED = (
    "case_version__document",
    "case_version__references",
    "case_version__source",
    "case_version__algorithm_version__document",
    "case_version__algorithm_version__references",
)
MAX_ENTRIES = 128  # versions kept per process; a bundled case is ~100 KB parsed

_cache: OrderedDict[tuple[int, str], tuple[Any, Any, Any]] = OrderedDict()
_lock = Lock()


def prime(version: CaseVersion) -> None:
    """Give ``version`` (loaded with DEFERRED columns) its parsed case, algorithm and
    references: from this process's cache, or from one query when they are not there."""
    key = (version.pk, version.content_hash)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
    if found is None:
        row = (
            CaseVersion.objects.filter(pk=version.pk)
            .values("document", "references", "algorithm_version__document")
            .get()
        )
        found = (
            schema.Case.model_validate(row["document"]),
            {k: schema.Reference.model_validate(r) for k, r in row["references"].items()},
            schema.Algorithm.model_validate(row["algorithm_version__document"]),
        )
        if version.content_hash:  # a broken draft has none: never keep it
            with _lock:
                _cache[key] = found
                while len(_cache) > MAX_ENTRIES:
                    _cache.popitem(last=False)
    # cached_property keeps its value in the instance's __dict__ under its own name.
    version.__dict__["parsed"] = found[0]
    version.__dict__["citable"] = found[1]
    version.algorithm_version.__dict__["parsed"] = found[2]


def clear() -> None:
    with _lock:
        _cache.clear()
