"""Interchangeable curriculum terms (毕达哥拉斯定理 = 勾股定理, 初二 = 八年级),
found in a query before it is cut into words.

Pure data: the search app loads the administrators' table (search.models.
SearchSynonym) and passes a `SynonymTable` to `ParsedQuery`, which turns each
term found into one query group matching any term of its set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .folding import fold

_LATIN_EDGE = re.compile(r"[a-z0-9]")


class SynonymTable:
    def __init__(self, groups: Iterable[Iterable[str]] = ()):
        self._sets: dict[str, tuple[str, ...]] = {}
        for group in groups:
            terms = tuple(
                dict.fromkeys(
                    t for t in (" ".join(fold(x).split()) for x in group) if t
                )
            )
            if len(terms) < 2:
                continue
            for term in terms:
                merged = self._sets.get(term, ()) + terms
                self._sets[term] = tuple(dict.fromkeys(merged))
        # Longest first, so 毕达哥拉斯定理 wins over a shorter term inside it.
        self._terms = sorted(self._sets, key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self._sets)

    def synonyms(self, term: str) -> tuple[str, ...]:
        """Every term of `term`'s set, `term` first."""
        return (term,) + tuple(t for t in self._sets.get(term, ()) if t != term)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, term) occurrences in folded `text`,
        longest terms first; a term starting or ending with a Latin letter or
        digit must not continue a Latin word (`present` ≠ `presentation`)."""
        taken: list[tuple[int, int, str]] = []
        for term in self._terms:
            start = 0
            while (pos := text.find(term, start)) != -1:
                end = pos + len(term)
                start = pos + 1
                if (
                    _LATIN_EDGE.match(term[0])
                    and pos
                    and _LATIN_EDGE.match(text[pos - 1])
                ):
                    continue
                if (
                    _LATIN_EDGE.match(term[-1])
                    and end < len(text)
                    and _LATIN_EDGE.match(text[end])
                ):
                    continue
                if any(s < end and pos < e for s, e, _ in taken):
                    continue
                taken.append((pos, end, term))
        return sorted(taken)
