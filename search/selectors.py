"""The one query behind the site's search page and GET /api/v1/lessons/.

`search_lessons(params)` validates the parameters (search/params.py), then runs
on the database backend (search/db_query.py) or on Elasticsearch/OpenSearch
(search/engine_query.py, one request: query, filters, sort and all facet
aggregations) and formats the hits (search/hits.py). Both see the same
segmented words (text_analysis/chinese.py), so they match the same documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from modelsearch.backends import get_search_backend
from modelsearch.backends.elasticsearchbase import ElasticsearchBaseSearchBackend

from catalog.models import CatalogEntryPage, KnowledgePoint
from text_analysis.chinese import ParsedQuery

from . import db_query, did_you_mean, engine_query
from .engine_query import SearchUnavailable
from .hits import LessonResults, hits, label_facets
from .params import UNPRINTABLE, LessonQuery, parse_params
from .synonyms import synonym_table

__all__ = ["SearchUnavailable", "search_lessons", "suggest"]


def search_lessons(params: Mapping | LessonQuery, backend: str = "default"):
    """Hits, total and facet counts for the catalog search (see module doc)."""
    query = params if isinstance(params, LessonQuery) else parse_params(params)
    search_backend = _backend(backend)
    if isinstance(search_backend, ElasticsearchBaseSearchBackend):
        run = partial(engine_query.search, search_backend, query)
    else:
        run = partial(db_query.search, query)
    # Lone characters first kept on their neighbour (过去|时 → 过去时); if
    # that finds nothing, dropped as before (a typo such as 勾|股定|里).
    parsed = ParsedQuery(query.q, synonyms=synonym_table(), join_singles=True)
    pks, total, facets = run(parsed)
    if parsed.joined and not total:
        parsed = ParsedQuery(query.q, synonyms=synonym_table())
        pks, total, facets = run(parsed)
    suggestion = _did_you_mean(query.q, parsed, run) if query.page == 1 else None
    pieces = parsed.relaxed if parsed and total == 0 else None
    relaxed = bool(pieces)
    if relaxed:
        # Nothing has every word (a typo, an extra word, a question): the
        # entries with the most of the query's pieces, above a floor.
        pks, total, facets = run(parsed, relaxed=pieces)
    return LessonResults(
        total=total,
        page=query.page,
        page_size=query.page_size,
        hits=hits(pks, parsed),
        facets=label_facets(facets),
        relaxed=relaxed,
        words=parsed.words,
        did_you_mean=suggestion,
    )


def _did_you_mean(q: str, parsed: ParsedQuery, run) -> str | None:
    """A query that sounds like `q` and finds entries with every word."""
    text = did_you_mean.candidate(q) if parsed else None
    if not text:
        return None
    better = ParsedQuery(text, synonyms=synonym_table())
    if not better or better.words == parsed.words:
        return None
    _pks, total, _facets = run(better)
    return text if total else None


_BACKENDS: dict = {}


def _backend(name: str):
    """One backend object per configuration: an engine backend holds the HTTP
    connection pool, and a new one per query would reconnect every time."""
    from modelsearch.conf import get_app_config

    config = get_app_config().get_search_backend_config().get(name, name)
    key = (name, repr(config))
    if key not in _BACKENDS:
        _BACKENDS.clear()  # settings changed (tests): forget old clients
        _BACKENDS[key] = get_search_backend(name)
    return _BACKENDS[key]


def suggest(q: str, limit: int = 10) -> list[dict]:
    """Titles and knowledge-point names starting with (then containing) `q`."""
    q = UNPRINTABLE.sub("", q or "").strip()[:50]
    if not q:
        return []
    out: list[dict] = []
    entries = CatalogEntryPage.objects.live()
    for lookup in ("istartswith", "icontains"):
        for title in entries.filter(**{f"title__{lookup}": q}).values_list(
            "title", flat=True
        )[:limit]:
            if all(s["text"] != title for s in out):
                out.append({"text": title, "kind": "lesson"})
        for code, name in KnowledgePoint.objects.filter(
            **{f"name__{lookup}": q}
        ).values_list("code", "name")[:limit]:
            if all(s["text"] != name for s in out):
                out.append({"text": name, "kind": "knowledge_point", "code": code})
        if len(out) >= limit:
            break
    return out[:limit]
