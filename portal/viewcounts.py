"""View counting without a database write per view.

A view increments a cache counter (Redis INCR in production, the local-memory
cache by default); `flush_view_counts` (command and task) periodically adds the
accumulated deltas to CatalogEntryPage.view_count with F() updates (one per
distinct delta, not per page) and takes exactly the flushed amount off the
counter, so views recorded while the flush runs are kept for the next one.
Engine indexes get the new counts by a partial update
(search.services.sync_view_counts).
"""

import logging
import threading
import time
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import F

from search import services as search_services

logger = logging.getLogger(__name__)

COUNTER_PREFIX = "portal:views:"
# Counters outlive many flush intervals so a stopped worker loses nothing
# until it restarts (Redis keeps them; locmem only within one process).
COUNTER_TIMEOUT = 7 * 24 * 3600
FLUSH_CHUNK = 1000
# With the process-local default cache no other process can see the counters,
# so the web process flushes its own at most this often (one write per
# interval, not per view). With Redis the command/task does it instead.
LOCAL_FLUSH_INTERVAL = 60
_last_local_flush = time.monotonic()


def _cache_is_process_local() -> bool:
    backend = settings.CACHES["default"]["BACKEND"]
    return backend.endswith("LocMemCache")


def _key(page_id: int) -> str:
    return f"{COUNTER_PREFIX}{page_id}"


def record_view(page_id: int) -> None:
    key = _key(page_id)
    try:
        cache.incr(key)
    except ValueError:
        # First view since the last flush; add() loses no race: if another
        # request created the key meanwhile, fall back to incr.
        if not cache.add(key, 1, timeout=COUNTER_TIMEOUT):
            cache.incr(key)
    _maybe_flush_locally()


def _maybe_flush_locally() -> None:
    global _last_local_flush
    now = time.monotonic()
    if now - _last_local_flush < LOCAL_FLUSH_INTERVAL or not _cache_is_process_local():
        return
    _last_local_flush = now
    # Off the request: the visitor never waits for the write.
    threading.Thread(target=_flush_in_thread, daemon=True).start()


def _flush_in_thread() -> None:
    from django.db import connection

    try:
        flush_view_counts()
    finally:
        connection.close()  # this thread's own connection


def pending_views(page_ids) -> dict[int, int]:
    """Views counted in the cache but not flushed yet, by page id."""
    page_ids = list(page_ids)
    if not page_ids:
        return {}
    found = cache.get_many([_key(pid) for pid in page_ids])
    return {
        int(key[len(COUNTER_PREFIX) :]): int(value)
        for key, value in found.items()
        if value
    }


def flush_view_counts() -> int:
    """Add pending deltas to the database; returns the number of views flushed."""
    from catalog.models import CatalogEntryPage

    total = 0
    ids = CatalogEntryPage.objects.values_list("pk", flat=True).order_by("pk")
    chunk = []
    for page_id in ids.iterator(chunk_size=FLUSH_CHUNK):
        chunk.append(page_id)
        if len(chunk) >= FLUSH_CHUNK:
            total += _flush_chunk(chunk)
            chunk = []
    if chunk:
        total += _flush_chunk(chunk)
    return total


def _flush_chunk(page_ids) -> int:
    from catalog.models import CatalogEntryPage

    deltas = pending_views(page_ids)
    if not deltas:
        return 0
    ids_by_delta = defaultdict(list)
    for page_id, delta in deltas.items():
        ids_by_delta[delta].append(page_id)
    try:
        # One transaction per chunk: a single short write lock on SQLite.
        # One UPDATE per distinct delta (few: most pages got a handful of
        # views), not one per page.
        with transaction.atomic():
            for delta, ids in ids_by_delta.items():
                CatalogEntryPage.objects.filter(pk__in=ids).update(
                    view_count=F("view_count") + delta
                )
    except DatabaseError:
        # Busy database (another process flushing): the counters are kept
        # and the next flush adds them.
        logger.warning("view counts not flushed this time (database busy)")
        return 0
    search_services.sync_view_counts(deltas)
    for page_id, delta in deltas.items():
        try:
            cache.decr(_key(page_id), delta)
        except ValueError:  # expired in between: nothing left to take off
            pass
    return sum(deltas.values())
