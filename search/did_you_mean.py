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
from datetime import datetime

import jieba
from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from catalog.models import CatalogEntryPage, KnowledgePoint
from text_analysis.folding import fold
from text_analysis.sound import sound_key

MAX_QUERY = 30  # characters compared; a longer query is a question, not a typo
MIN_TERM = 2
# Titles read for their words, newest first: bounds the rebuild after a
# publish (jieba reads about a megabyte a second) on a large catalog.
MAX_TITLES = 10_000
_CJK_RUN = re.compile(r"^[\u3400-\u9fff]+$")

# The vocabulary is built off the request path: a task (rebuild_vocabulary,
# enqueued on entry_changed) saves it in SearchVocabulary; each process keeps
# a copy and looks at the row's time at most every CHECK_AGE seconds. Until a
# new vocabulary is saved, searches use the last one.
CHECK_AGE = 60.0
# A term this long is also offered for a query piece with one wrong
# character that does not sound alike (勾股定律 → 勾股定理): shorter terms
# differ from too many ordinary words by one character.
MIN_SHAPE_TERM = 4
REQUESTED_KEY = "search:vocabulary:requested"
# Sent when no vocabulary is saved yet: a rebuild is wanted.
vocabulary_wanted = Signal()
_lock = threading.Lock()
_cache: dict = {}


def forget(*args, **kwargs) -> None:
    """Drop this process's copy (the next search reads the saved one)."""
    with _lock:
        _cache.clear()
    cache.delete(REQUESTED_KEY)


def _terms():
    yield from KnowledgePoint.objects.values_list("name", flat=True)
    titles = CatalogEntryPage.objects.filter(live=True).order_by("-last_published_at")
    for title in titles.values_list("title", flat=True)[:MAX_TITLES]:
        yield from jieba.cut(fold(title))


def build() -> dict[str, str]:
    """{sound key: term}, from the catalog (slow: jieba over the titles)."""
    counts: dict[str, dict[str, int]] = {}
    for raw in _terms():
        term = fold(raw).strip()
        if len(term) < MIN_TERM or not _CJK_RUN.match(term):
            continue
        by_term = counts.setdefault(sound_key(term), {})
        by_term[term] = by_term.get(term, 0) + 1
    # When terms sound alike, the most frequent wins the key; every term is
    # kept (a term written right is never corrected).
    return {
        key: [max(terms.items(), key=lambda item: (item[1], item[0]))[0], *terms]
        for key, terms in counts.items()
    }


def rebuild(requested_at: datetime | None = None) -> bool:
    """Build and save the vocabulary (the background task's work), unless one
    was built after `requested_at` (a burst of changes is one rebuild)."""
    from .models import SearchVocabulary

    latest = SearchVocabulary.objects.order_by("-built_at").first()
    if latest and requested_at and latest.built_at >= requested_at:
        return False
    built_at = timezone.now()
    data = build()
    with transaction.atomic():
        SearchVocabulary.objects.all().delete()
        SearchVocabulary.objects.create(built_at=built_at, data=data)
    _install(built_at, data)
    return True


def _install(built_at, data) -> None:
    by_sound = {key: terms[0] for key, terms in data.items()}
    terms = frozenset(t for group in data.values() for t in group[1:])
    by_shape: dict[str, str] = {}
    for term in sorted(terms):
        if len(term) >= MIN_SHAPE_TERM:
            for key in _shape_keys(term):
                by_shape.setdefault(key, term)
    with _lock:
        _cache.update(
            by_sound=by_sound,
            by_shape=by_shape,
            terms=terms,
            built_at=built_at,
            checked=time.monotonic(),
        )


def _shape_keys(text: str) -> list[str]:
    """`text` with each character in turn replaced by a wildcard: two texts
    of the same length that differ in one character share a key."""
    return [text[:i] + "?" + text[i + 1 :] for i in range(len(text))]


def vocabulary() -> tuple[dict[str, str], frozenset[str]]:
    """({sound key: term}, every term): this process's copy of the saved
    vocabulary. Never built here: with none saved yet (a fresh install), a
    rebuild is requested and there is no suggestion meanwhile."""
    from .models import SearchVocabulary

    with _lock:
        if _cache and time.monotonic() - _cache["checked"] < CHECK_AGE:
            return _cache["by_sound"], _cache["terms"]
    built_at = (
        SearchVocabulary.objects.order_by("-built_at")
        .values_list("built_at", flat=True)
        .first()
    )
    if built_at is None:
        if cache.add(REQUESTED_KEY, True, CHECK_AGE):
            # search/signals.py enqueues the task (tasks.py imports this).
            vocabulary_wanted.send(sender=None)
        with _lock:
            if "by_sound" in _cache:
                return _cache["by_sound"], _cache["terms"]
        return {}, frozenset()
    with _lock:
        if _cache.get("built_at") == built_at:
            _cache["checked"] = time.monotonic()
            return _cache["by_sound"], _cache["terms"]
    data = SearchVocabulary.objects.get(built_at=built_at).data
    _install(built_at, data)
    return _cache["by_sound"], _cache["terms"]


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
    with _lock:
        by_shape = _cache.get("by_shape", {})
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
            if not term and length >= MIN_SHAPE_TERM:
                term = next(
                    (by_shape[k] for k in _shape_keys(piece) if k in by_shape), None
                )
            if term:
                return text[:start] + term + text[end:]
    return None
