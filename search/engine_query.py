"""The catalog search on Elasticsearch/OpenSearch: one request with the query,
filters, sort and every facet aggregation."""

from __future__ import annotations

import logging
from functools import cache

from django.utils.translation import gettext_lazy as _
from modelsearch.index import FilterField

from catalog.models import CatalogEntryPage
from text_analysis.chinese import ParsedQuery
from text_analysis.relaxed import RelaxedQuery

from .params import FACET_FIELDS, LessonQuery, facet_filters, page_bounds

logger = logging.getLogger(__name__)


class SearchUnavailable(Exception):
    """The engine is down, too slow, or has no index behind its alias. The
    API answers 503 and the site says so; there is no fallback to the
    database backend, whose index is not kept up to date next to an engine."""

    reason = _("Search is unavailable at the moment, please try again later.")


@cache
def engine_errors() -> tuple[type[Exception], ...]:
    """What either engine client raises for a refused connection, a timeout or
    an error answer (a missing index: 404 from the alias)."""
    import elastic_transport
    import elasticsearch
    import opensearchpy.exceptions

    return (
        opensearchpy.exceptions.OpenSearchException,
        elasticsearch.ApiError,
        elastic_transport.TransportError,
    )


def engine_columns(backend) -> dict[str, str]:
    """Document field names of the catalog's filter fields (fixed for a
    mapping class, so worked out once). Read-only: the dict is shared."""
    return _engine_columns(backend.mapping_class)


@cache
def _engine_columns(mapping_class) -> dict[str, str]:
    mapping = mapping_class(CatalogEntryPage)
    filter_columns: dict[str, str] = {}
    for search_field in CatalogEntryPage.get_search_fields():
        if type(search_field) is FilterField:
            filter_columns.setdefault(
                search_field.field_name, mapping.get_field_column_name(search_field)
            )
    names = {
        "live": "live",
        "first_published_at": "first_published_at",
        "knowledge_point": "search_knowledge_point_ids",
        "knowledge_point_tree": "search_knowledge_point_tree_ids",
        "views": "view_count",
        **FACET_FIELDS,
    }
    columns = {key: filter_columns[name] for key, name in names.items()}
    columns["_content_type"] = mapping.get_content_type()
    return columns


# In the relaxed pass each piece an entry has scores this much, so entries
# with more pieces rank first and the text score orders equal ones (BM25
# scores stay far below it).
PIECE_SCORE = 1000.0


def _group_clause(word: str, alternatives: list[list[str]]) -> dict:
    should = [{"match": {"_all_text": {"query": word}}}]
    for parts in alternatives:
        should.append(
            {"match": {"_all_text": {"query": " ".join(parts), "operator": "and"}}}
        )
    return {"bool": {"should": should, "minimum_should_match": 1}}


def text_query(parsed: ParsedQuery) -> dict:
    """Every word (or all parts of one of its splits), titles boosted."""
    clauses = [_group_clause(word, alts) for word, alts in parsed.groups]
    boost = {"match": {"title": {"query": " ".join(parsed.words), "boost": 2}}}
    return {"bool": {"must": clauses, "should": [boost]}}


def coverage_query(relaxed: RelaxedQuery, at_least: int) -> dict:
    """Entries with at least `at_least` of the relaxed pieces; each piece
    adds PIECE_SCORE (text_analysis/relaxed.py)."""
    pieces = [
        {"constant_score": {"filter": _group_clause(*piece), "boost": PIECE_SCORE}}
        for piece in relaxed.all_pieces
    ]
    return {"bool": {"should": pieces, "minimum_should_match": at_least}}


def relaxed_query(relaxed: RelaxedQuery, at_least: int) -> dict:
    """Entries with at least `at_least` pieces, most pieces first, then by
    their text score."""
    words = " ".join(w for w, _ in relaxed.all_pieces)
    text = {"match": {"_all_text": {"query": words}}}
    boost = {"match": {"title": {"query": words, "boost": 2}}}
    must = [coverage_query(relaxed, at_least)]
    return {"bool": {"must": must, "should": [text, boost]}}


def _best_coverage(backend, index, filters, relaxed: RelaxedQuery) -> int:
    """Most pieces any entry (under the filters) has: the score of the best
    hit of the coverage query, 0 if none has the minimum."""
    body = {
        "query": {
            "bool": {
                "must": [coverage_query(relaxed, relaxed.min_pieces)],
                "filter": filters,
            }
        },
        "size": 1,
        "_source": False,
        "track_total_hits": False,
    }
    hits = backend.es.search(index=index, body=body)["hits"]["hits"]
    return round(hits[0]["_score"] / PIECE_SCORE) if hits else 0


def search(
    backend,
    query: LessonQuery,
    parsed: ParsedQuery,
    relaxed: RelaxedQuery | None = None,
):
    cols = engine_columns(backend)
    filters: list[dict] = [
        {"term": {"_django_content_type": cols["_content_type"]}},
        {"term": {cols["live"]: True}},
    ]
    for name, value in facet_filters(query):
        filters.append({"term": {cols[name]: value}})
    if query.knowledge_point is not None:
        filters.append(
            {"term": {cols["knowledge_point_tree"]: query.knowledge_point.pk}}
        )
    newest = [{cols["first_published_at"]: {"order": "desc"}}, {"pk": "desc"}]
    if query.sort == "relevance" and parsed:
        sort = ["_score", *newest]
    elif query.sort == "views":
        sort = [{cols["views"]: {"order": "desc", "missing": "_last"}}, *newest]
    else:
        sort = newest
    aggs = {
        name: {"terms": {"field": cols[name], "size": 200}} for name in FACET_FIELDS
    }
    aggs["knowledge_point"] = {"terms": {"field": cols["knowledge_point"], "size": 500}}
    index = backend.get_index_for_model(CatalogEntryPage).name
    try:
        return _search(backend, index, query, parsed, relaxed, filters, sort, aggs)
    except engine_errors() as error:
        logger.error("search engine unavailable: %r", error)
        raise SearchUnavailable from error


def _search(backend, index, query, parsed, relaxed, filters, sort, aggs):
    start, _ = page_bounds(query)
    if relaxed is not None:
        best = _best_coverage(backend, index, filters, relaxed)
        if not best:
            return [], 0, {name: {} for name in aggs}
        must = [relaxed_query(relaxed, relaxed.floor(best))]
    else:
        must = [text_query(parsed)] if parsed else []
    body = {
        "query": {"bool": {"must": must, "filter": filters}},
        "sort": sort,
        "from": start,
        "size": query.page_size,
        "_source": False,
        "stored_fields": ["pk"],
        "track_total_hits": True,
        "aggs": aggs,
    }
    response = backend.es.search(index=index, body=body)
    total = response["hits"]["total"]["value"]
    pks = [int(hit["fields"]["pk"][0]) for hit in response["hits"]["hits"]]
    facets = {}
    for name, agg in response["aggregations"].items():
        buckets = {}
        for bucket in agg["buckets"]:
            key = bucket["key"]
            if name == "quality":
                key = bucket.get("key_as_string", str(key)) in ("true", "1")
            buckets[key] = bucket["doc_count"]
        facets[name] = buckets
    return pks, total, facets
