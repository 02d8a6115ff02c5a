"""View counting without a database write per view.

A view increments a cache counter (Redis INCR in production, the local-memory
cache by default); `flush_view_counts` (command and task) periodically adds the
accumulated deltas to CatalogEntryPage.view_count with F() updates (one per
distinct delta, not per page) and takes exactly the flushed amount off the
counter, so views recorded while the flush runs are kept for the next one.
Engine indexes get the new counts by a partial update
(search.services.sync_view_counts).

A page view counts once per visitor and lesson within
WEIKE_VIEW_COUNT_WINDOW_SECONDS (`record_visit`): reloading a page, or a script
sending 200 GETs, adds one view, not 200. The visitor is the user when logged
in, else the session, else the client address and browser (User-Agent);
crawlers that name themselves do not count.
"""

import hashlib
import logging
import re
import threading
import time
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import F

from search import services as search_services

from .client_address import client_ip

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


VIEWED_PREFIX = "portal:viewed:"
# Crawlers that say so (Baiduspider, Googlebot/, bingbot/, Sogou web spider,
# Bytespider, "+http://…" info links) fetch every page; their fetches are not
# teachers' views. A bare "bot" would also match phones such as CUBOT.
CRAWLER = re.compile(r"spider|crawl|slurp|bot/|\+https?://", re.IGNORECASE)


def _key(page_id: int) -> str:
    return f"{COUNTER_PREFIX}{page_id}"


def visitor(request) -> str:
    """A short, stable id of who is asking (a hash: no raw address is kept)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        who = f"user:{user.pk}"
    else:
        session = getattr(request, "session", None)
        session_key = session.session_key if session is not None else None
        if session_key:
            who = f"session:{session_key}"
        else:
            address = client_ip(request)
            agent = request.META.get("HTTP_USER_AGENT", "")
            who = f"anon:{address}\n{agent}"
    return hashlib.sha256(who.encode("utf-8", "replace")).hexdigest()[:32]


def window() -> int:
    return int(getattr(settings, "WEIKE_VIEW_COUNT_WINDOW_SECONDS", 0) or 0)


def record_visit(request, page_id: int) -> bool:
    """Count a page view unless this visitor was counted on this page within
    the window. Returns whether it counted."""
    if CRAWLER.search(request.META.get("HTTP_USER_AGENT", "")):
        return False
    seconds = window()
    # add() is one atomic check-and-set (SET NX on Redis): of two parallel
    # requests by the same visitor only one counts.
    if seconds > 0 and not cache.add(
        f"{VIEWED_PREFIX}{page_id}:{visitor(request)}", 1, timeout=seconds
    ):
        return False
    record_view(page_id)
    return True


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
