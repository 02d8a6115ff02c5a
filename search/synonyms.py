"""The synonym table the catalog search applies, loaded from SearchSynonym
rows and kept in the cache until a row changes (search/signals.py)."""

from __future__ import annotations

from django.core.cache import cache

from text_analysis.synonyms import SynonymTable

CACHE_KEY = "search:synonyms:v1"


def synonym_table() -> SynonymTable:
    groups = cache.get(CACHE_KEY)
    if groups is None:
        from .models import SearchSynonym

        groups = [row.term_list() for row in SearchSynonym.objects.all()]
        cache.set(CACHE_KEY, groups, None)
    return _table(tuple(tuple(g) for g in groups))


_TABLES: dict = {}


def _table(groups: tuple) -> SynonymTable:
    # Built once per distinct table (the cache returns equal lists each time).
    if groups not in _TABLES:
        _TABLES.clear()
        _TABLES[groups] = SynonymTable(groups)
    return _TABLES[groups]


def forget(**kwargs) -> None:
    cache.delete(CACHE_KEY)
