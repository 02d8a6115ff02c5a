"""The catalog search on the database backend: every matching row in one
statement (search/db_match.py), then facet counts, order and page in Python."""

from __future__ import annotations

import heapq
from collections import Counter
from operator import itemgetter

from catalog.models import CatalogEntryPage, KnowledgePoint, quality_flag
from text_analysis.chinese import ParsedQuery
from text_analysis.relaxed import RelaxedQuery

from .db_match import COLUMNS as MATCH_COLUMNS
from .db_match import matching_rows
from .params import FACET_FIELDS, LessonQuery, facet_filters, page_bounds


def filtered(query: LessonQuery):
    # The quality flag is the QualityPick record, read as a column here.
    qs = (
        CatalogEntryPage.objects.live()
        .annotate(is_quality_pick=quality_flag())
        .filter(**{FACET_FIELDS[name]: value for name, value in facet_filters(query)})
    )
    if query.knowledge_point is not None:
        through = CatalogEntryPage.knowledge_points.through
        points = KnowledgePoint.objects.descendants_of(query.knowledge_point)
        qs = qs.filter(
            pk__in=through.objects.filter(
                knowledgepoint_id__in=points.values("pk")
            ).values("catalogentrypage_id")
        )
    return qs


def search(
    query: LessonQuery, parsed: ParsedQuery, relaxed: RelaxedQuery | None = None
):
    """Every matching row in one statement (search/db_match.py), then facet
    counts, order and page in Python. In the relaxed pass only the rows with
    at least the relevance floor of pieces are kept (text_analysis/relaxed.py)."""
    rows = matching_rows(filtered(query), parsed or None, relaxed)
    if relaxed is not None and rows:
        coverage = _COL["coverage"]
        floor = relaxed.floor(max(row[coverage] for row in rows))
        rows = [row for row in rows if row[coverage] >= floor]
    start, stop = page_bounds(query)
    key = _sort_key(query, parsed, relaxed is not None)
    pks = [row[0] for row in heapq.nsmallest(stop, rows, key=key)]
    return pks[start:stop], len(rows), _facet_counts(rows)


_COL = {name: i for i, name in enumerate(MATCH_COLUMNS)}


def _sort_key(query: LessonQuery, parsed: ParsedQuery, relaxed: bool):
    """Key for ascending order: best score (relevance; in the relaxed pass
    most pieces first) or most views, then newest and highest id, as the
    engine sorts."""
    pk, published, views, score, coverage = (
        _COL["pk"],
        _COL["published"],
        _COL["views"],
        _COL["score"],
        _COL["coverage"],
    )
    if query.sort == "relevance" and relaxed:
        return lambda row: (
            -row[coverage],
            row[score],
            -(row[published] or 0),
            -row[pk],
        )
    if query.sort == "relevance" and parsed:
        return lambda row: (row[score], -(row[published] or 0), -row[pk])
    if query.sort == "views":
        return lambda row: (-(row[views] or 0), -(row[published] or 0), -row[pk])
    return lambda row: (-(row[published] or 0), -row[pk])


def _facet_counts(rows) -> dict[str, dict]:
    """Facet counts over the matched rows (each column counted at C speed)."""
    facets: dict[str, dict] = {}
    for name in FACET_FIELDS:
        counts = Counter(map(itemgetter(_COL[name]), rows))
        counts.pop(None, None)
        facets[name] = dict(counts)
    points = Counter()
    kps = _COL["kps"]
    for row in rows:
        if row[kps]:
            points.update({int(pk) for pk in row[kps].split(",")})
    facets["knowledge_point"] = dict(points)
    return facets
