"""Codes and names of the taxonomy rows a search's facets count, kept in
each process.

Labelling the facets read six tables on every search: 13 ms of a 33 ms
engine search at 100,000 lessons (docs/search.md). The rows change only when
staff rename or re-code the taxonomy, which the catalog announces
(`entry_changed` with reason "taxonomy" or "knowledge_point"); the handler
(`forget`) writes a new generation into the shared cache, and every process
drops its copy when it sees a generation it has not read. A copy is also
dropped after MAX_AGE seconds, for a change made around the services (a bulk
update in a shell).
"""

from __future__ import annotations

import threading
import time
import uuid

from django.core.cache import cache

GENERATION_KEY = "search:facet-labels:generation"
MAX_AGE = 300.0
_lock = threading.Lock()
_labels: dict[type, dict[int, tuple[str, str]]] = {}
_read: dict[str, object] = {"generation": None, "at": 0.0}


def labels(model, pks) -> dict[int, tuple[str, str]]:
    """(code, name) of each row of `model` among `pks` that exists."""
    generation = cache.get(GENERATION_KEY)
    now = time.monotonic()
    with _lock:
        if generation != _read["generation"] or now - _read["at"] > MAX_AGE:
            _labels.clear()
            _read.update(generation=generation, at=now)
        known = _labels.setdefault(model, {})
        missing = [pk for pk in pks if pk not in known]
    if missing:
        rows = model.objects.filter(pk__in=missing).values_list("pk", "code", "name")
        found = {pk: (code, name) for pk, code, name in rows}
        with _lock:
            known.update(found)
    return {pk: known[pk] for pk in pks if pk in known}


def forget(sender=None, reason: str = "", **kwargs) -> None:
    """entry_changed receiver: a taxonomy change reaches every process's next
    search."""
    if reason in ("taxonomy", "knowledge_point"):
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def forget_here() -> None:
    """Drop this process's copy (tests: each reads its own taxonomy)."""
    with _lock:
        _labels.clear()
        _read.update(generation=None, at=0.0)
