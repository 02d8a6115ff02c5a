"""Cached fragments of the public site, invalidated by one version number.

Every fragment key embeds the current *catalog version*; any change of an
entry (catalog.signals.entry_changed: publish, unpublish, move, delete, quality
pick, renames) or of the page tree bumps it (see signal_handlers.py), so stale
fragments are never read again and simply expire. One integer instead of key
bookkeeping keeps invalidation correct for every fragment, including ones added later.
"""

from django.core.cache import cache
from django.utils.translation import get_language

VERSION_KEY = "portal:catalog-version"
# Fragments also expire on their own, as a safety net for writes that bypass
# the catalog's services and signals (bulk queryset updates…).
FRAGMENT_TIMEOUT = 10 * 60


def catalog_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_catalog_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # key missing (evicted, fresh cache)
        cache.add(VERSION_KEY, 2, timeout=None)


def fragment_key(name: str, *parts) -> str:
    # Fragments hold rendered sentences: one copy per UI language.
    suffix = ":".join(str(p) for p in parts)
    return f"portal:{name}:v{catalog_version()}:{get_language()}:{suffix}"


def cached(name: str, *parts, compute, timeout=FRAGMENT_TIMEOUT):
    """Return the cached value of `compute()` for this name and version."""
    key = fragment_key(name, *parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value
