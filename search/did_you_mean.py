"""「您是不是要找」: a better query, from the catalog's own vocabulary.

When a search finds nothing with every word (it found nothing at all, or only
through the loose second pass), the query is compared with what the catalog
calls things: knowledge-point names and the words of live entries' titles.
The longest piece of the query that *sounds* like one of those terms but is
written differently is replaced by the term (勾股定里 → 勾股定理, 歐母定律 →
欧姆定律). A suggestion is offered only if it finds entries with every word
(search_lessons checks), whether or not the query found something itself (a
homophone can match through its pinyin); otherwise none is.
"""

from __future__ import annotations

import re
import threading
import time

import jieba
from django.core.cache import cache as shared_cache

from catalog.models import CatalogEntryPage, KnowledgePoint
from text_analysis.folding import fold
from text_analysis.sound import sound_key

MAX_QUERY = 30  # characters compared; a longer query is a question, not a typo
MIN_TERM = 2
# Titles read for their words, newest first: bounds the rebuild after a
# publish (jieba reads about a megabyte a second) on a large catalog.
MAX_TITLES = 10_000
_CJK_RUN = re.compile(r"^[\u3400-\u9fff]+$")

# Per process, rebuilt after an entry changes (entry_changed) and at least
# every few minutes (another process's changes), never per search. The built
# vocabulary is shared through the site's cache: reading 10,000 titles with
# jieba takes seconds, and each of the web processes paying that on a search
# every ten minutes held 32 clients' searches for seconds (bench/load.py).
MAX_AGE = 600.0
SHARED_KEY = "search:did-you-mean-vocabulary"
_lock = threading.Lock()
_cache: dict = {}


def forget(*args, **kwargs) -> None:
    with _lock:
        _cache.clear()
    shared_cache.delete(SHARED_KEY)


def _terms():
    yield from KnowledgePoint.objects.values_list("name", flat=True)
    titles = CatalogEntryPage.objects.filter(live=True).order_by("-last_published_at")
    for title in titles.values_list("title", flat=True)[:MAX_TITLES]:
        yield from jieba.cut(fold(title))


def vocabulary() -> tuple[dict[str, str], frozenset[str]]:
    """({sound key: term}, every term): when terms sound alike, the most
    frequent wins the key."""
    with _lock:
        if _cache and time.monotonic() - _cache["built"] < MAX_AGE:
            return _cache["by_sound"], _cache["terms"]
    shared = shared_cache.get(SHARED_KEY)
    if shared is not None:
        by_sound, terms = shared
        with _lock:
            _cache.update(by_sound=by_sound, terms=terms, built=time.monotonic())
        return by_sound, terms
    counts: dict[str, dict[str, int]] = {}
    for raw in _terms():
        term = fold(raw).strip()
        if len(term) < MIN_TERM or not _CJK_RUN.match(term):
            continue
        by_term = counts.setdefault(sound_key(term), {})
        by_term[term] = by_term.get(term, 0) + 1
    by_sound = {
        key: max(terms.items(), key=lambda item: (item[1], item[0]))[0]
        for key, terms in counts.items()
    }
    terms = frozenset(t for group in counts.values() for t in group)
    with _lock:
        _cache.update(by_sound=by_sound, terms=terms, built=time.monotonic())
    shared_cache.set(SHARED_KEY, (by_sound, terms), MAX_AGE)
    return by_sound, terms


def _known_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """Where the query already writes a catalog term (start, end)."""
    return [
        (start, end)
        for start in range(len(text))
        for end in range(start + MIN_TERM, len(text) + 1)
        if text[start:end] in terms
    ]


def candidate(query: str) -> str | None:
    """The query with its longest misspelt piece replaced, or None.

    A piece inside a term the query already writes right is left alone
    (in 勾股定理, 股定 must not become 固定), and a piece that is itself a
    catalog term is never "corrected" to a more frequent homophone."""
    text = re.sub(r"\s+", "", fold(query or ""))
    if not text or len(text) > MAX_QUERY:
        return None
    by_sound, terms = vocabulary()
    known = _known_spans(text, terms)
    for length in range(len(text), MIN_TERM - 1, -1):
        for start in range(len(text) - length + 1):
            end = start + length
            piece = text[start:end]
            if piece in terms or not _CJK_RUN.match(piece):
                continue
            if any(a <= start and end <= b for a, b in known):
                continue
            term = by_sound.get(sound_key(piece))
            if term:
                return text[:start] + term + text[end:]
    return None
