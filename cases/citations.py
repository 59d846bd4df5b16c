"""Numbered citations for one page: the first source cited is [1], and so on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cases.schema import Reference


@dataclass(frozen=True)
class Cited:
    number: int
    reference: Reference


class CitationIndex:
    """Numbers references in the order a page first cites them.

    Every verdict on a page calls ``cite``; the page ends with ``entries``, the
    reference list those numbers point to.
    """

    def __init__(self, references: Mapping[str, Reference]) -> None:
        self._references = references
        self._numbers: dict[str, int] = {}

    def cite(self, keys: Iterable[str]) -> list[Cited]:
        cited = []
        for key in keys:
            reference = self._references.get(key)
            if reference is None:
                continue  # validated content cites only known keys; never show a broken number
            number = self._numbers.setdefault(key, len(self._numbers) + 1)
            cited.append(Cited(number, reference))
        return sorted(cited, key=lambda c: c.number)  # [1][2][5], as a reader expects

    @property
    def entries(self) -> list[Cited]:
        return [Cited(n, self._references[key]) for key, n in self._numbers.items()]
