"""The one query behind the site's search page and GET /api/v1/lessons/.

`search_lessons(params)` validates the parameters, then runs on the database
backend (modelsearch + ORM facet counts) or on Elasticsearch/OpenSearch (one
request: query, filters, sort and all facet aggregations). Both see the same
segmented words (text_analysis/chinese.py), so they match the same documents.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, partial
from operator import itemgetter

from modelsearch.backends import get_search_backend
from modelsearch.backends.elasticsearchbase import ElasticsearchBaseSearchBackend
from modelsearch.index import FilterField
from wagtail.models import Site

from catalog.models import (
    CatalogEntryPage,
    District,
    Grade,
    KnowledgePoint,
    Stage,
    Subject,
    TextbookEdition,
    quality_flag,
)
from catalog.models.pages import ResourceType
from text_analysis.chinese import ParsedQuery, highlight

from .db_match import COLUMNS as MATCH_COLUMNS
from .db_match import matching_rows

PAGE_SIZE = 20
MAX_PAGE = 500
SORTS = ("relevance", "newest", "views")
FACETS = (
    "stage",
    "subject",
    "grade",
    "edition",
    "knowledge_point",
    "type",
    "quality",
    "year",
    "district",
)
# Facet name → model field on CatalogEntryPage (knowledge points are M2M).
FACET_FIELDS = {
    "stage": "stage",
    "subject": "subject",
    "grade": "grade",
    "edition": "edition",
    "type": "resource_type",
    "quality": "is_quality_pick",
    "year": "academic_year",
    "district": "district",
}
LABEL_MODELS = {
    "stage": Stage,
    "subject": Subject,
    "grade": Grade,
    "edition": TextbookEdition,
    "district": District,
    "knowledge_point": KnowledgePoint,
}


class SearchParamError(ValueError):
    """A bad query parameter; `reason` is bilingual (zh / en)."""

    def __init__(self, param: str, zh: str, en: str):
        self.param = param
        self.reason = f"{zh} / {en}"
        super().__init__(self.reason)


@dataclass
class LessonQuery:
    q: str = ""
    stage: Stage | None = None
    subject: Subject | None = None
    grade: Grade | None = None
    knowledge_point: KnowledgePoint | None = None
    type: str | None = None
    quality: bool | None = None
    year: int | None = None
    district: District | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = PAGE_SIZE


@dataclass
class LessonResults:
    total: int
    page: int
    page_size: int
    hits: list[dict]
    facets: dict[str, list[dict]]
    relaxed: bool = False
    words: list[str] = field(default_factory=list)


# Control characters and U+FFFD (an invalid UTF-8 byte): never in a code or a
# search, and PostgreSQL refuses NUL in any query value.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ufffd]")


def _by_code(model, name_zh, name_en, param, value):
    if value in (None, ""):
        return None
    value = str(value)
    if len(value) > model._meta.get_field("code").max_length or _UNPRINTABLE.search(
        value
    ):
        # Not a code at all: refused without a query, and not echoed back.
        raise SearchParamError(param, f"无效的{name_zh}代码", f"invalid {name_en} code")
    obj = model.objects.filter(code=value).first()
    if obj is None:
        raise SearchParamError(
            param, f"未知的{name_zh}：{value}", f"unknown {name_en}: {value}"
        )
    return obj


def _int(param, value, lo, hi, zh, en):
    if value in (None, ""):
        return None
    try:
        number = int(str(value))
    except ValueError:
        raise SearchParamError(
            param, f"{zh}必须是整数", f"{en} must be an integer"
        ) from None
    if not lo <= number <= hi:
        raise SearchParamError(
            param,
            f"{zh}必须在 {lo} 到 {hi} 之间",
            f"{en} must be between {lo} and {hi}",
        )
    return number


def parse_params(data: Mapping) -> LessonQuery:
    """Validate raw query parameters (a QueryDict or dict of strings)."""
    get = data.get
    query = LessonQuery(q=str(get("q") or ""))
    query.stage = _by_code(Stage, "学段", "stage", "stage", get("stage"))
    query.subject = _by_code(Subject, "学科", "subject", "subject", get("subject"))
    query.grade = _by_code(Grade, "年级", "grade", "grade", get("grade"))
    query.district = _by_code(District, "区县", "district", "district", get("district"))
    query.knowledge_point = _by_code(
        KnowledgePoint,
        "知识点",
        "knowledge point",
        "knowledge_point",
        get("knowledge_point"),
    )
    rtype = get("type")
    if rtype not in (None, ""):
        if rtype not in ResourceType.values:
            raise SearchParamError(
                "type",
                f"未知的资源类型：{rtype}",
                f"unknown resource type: {rtype} "
                f"(one of {', '.join(ResourceType.values)})",
            )
        query.type = rtype
    quality = get("quality")
    if quality not in (None, ""):
        if str(quality).lower() not in ("1", "0", "true", "false"):
            raise SearchParamError(
                "quality", "quality 只能是 1 或 0", "quality must be 1 or 0"
            )
        query.quality = str(quality).lower() in ("1", "true")
    query.year = _int("year", get("year"), 2000, 2100, "学年", "year")
    sort = get("sort") or "relevance"
    if sort not in SORTS:
        raise SearchParamError(
            "sort",
            f"未知的排序方式：{sort}",
            f"unknown sort: {sort} (one of {', '.join(SORTS)})",
        )
    query.sort = sort
    query.page = _int("page", get("page"), 1, MAX_PAGE, "页码", "page") or 1
    return query


def search_lessons(params: Mapping | LessonQuery, backend: str = "default"):
    """Hits, total and facet counts for the catalog search (see module doc)."""
    query = params if isinstance(params, LessonQuery) else parse_params(params)
    search_backend = _backend(backend)
    parsed = ParsedQuery(query.q)
    if isinstance(search_backend, ElasticsearchBaseSearchBackend):
        run = partial(_engine_search, search_backend, query, parsed)
    else:
        run = partial(_db_search, query, parsed)
    pks, total, facets = run(strict=True)
    relaxed = bool(parsed) and total == 0 and len(parsed.groups) > 1
    if relaxed:
        # Nothing has every word (a typo, an extra word): any word will do.
        pks, total, facets = run(strict=False)
    return LessonResults(
        total=total,
        page=query.page,
        page_size=query.page_size,
        hits=_hits(pks, parsed),
        facets=_label_facets(facets),
        relaxed=relaxed,
        words=parsed.words,
    )


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


def _facet_filters(query: LessonQuery):
    """(facet name, value) of every facet filter `query` sets, the knowledge
    point aside (it also matches its descendants)."""
    for name in ("stage", "subject", "grade", "district", "type", "quality", "year"):
        value = getattr(query, name)
        if value not in (None, ""):
            yield name, getattr(value, "pk", value)


def _page_bounds(query: LessonQuery) -> tuple[int, int]:
    start = (query.page - 1) * query.page_size
    return start, start + query.page_size


# --- database backend ---------------------------------------------------------


def _db_filtered(query: LessonQuery):
    # The quality flag is the QualityPick record, read as a column here.
    qs = (
        CatalogEntryPage.objects.live()
        .annotate(is_quality_pick=quality_flag())
        .filter(**{FACET_FIELDS[name]: value for name, value in _facet_filters(query)})
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


def _db_search(query: LessonQuery, parsed: ParsedQuery, strict: bool):
    """Every matching row in one statement (search/db_match.py), then facet
    counts, order and page in Python."""
    rows = matching_rows(_db_filtered(query), parsed or None, strict)
    start, stop = _page_bounds(query)
    pks = [row[0] for row in heapq.nsmallest(stop, rows, key=_sort_key(query, parsed))]
    return pks[start:stop], len(rows), _db_facets(rows)


_COL = {name: i for i, name in enumerate(MATCH_COLUMNS)}


def _sort_key(query: LessonQuery, parsed: ParsedQuery):
    """Key for ascending order: best score (relevance) or most views, then
    newest and highest id, as the engine sorts."""
    pk, published, views, score = (
        _COL["pk"],
        _COL["published"],
        _COL["views"],
        _COL["score"],
    )
    if query.sort == "relevance" and parsed:
        return lambda row: (row[score], -(row[published] or 0), -row[pk])
    if query.sort == "views":
        return lambda row: (-(row[views] or 0), -(row[published] or 0), -row[pk])
    return lambda row: (-(row[published] or 0), -row[pk])


def _db_facets(rows) -> dict[str, dict]:
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


# --- Elasticsearch / OpenSearch ----------------------------------------------


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


def _engine_text_query(parsed: ParsedQuery, strict: bool) -> dict:
    clauses = []
    for word, alternatives in parsed.groups:
        should = [{"match": {"_all_text": {"query": word}}}]
        for parts in alternatives:
            should.append(
                {"match": {"_all_text": {"query": " ".join(parts), "operator": "and"}}}
            )
        clauses.append({"bool": {"should": should, "minimum_should_match": 1}})
    boost = {"match": {"title": {"query": " ".join(parsed.words), "boost": 2}}}
    if strict:
        return {"bool": {"must": clauses, "should": [boost]}}
    return {"bool": {"should": clauses + [boost], "minimum_should_match": 1}}


def _engine_search(backend, query: LessonQuery, parsed: ParsedQuery, strict: bool):
    cols = engine_columns(backend)
    filters: list[dict] = [
        {"term": {"_django_content_type": cols["_content_type"]}},
        {"term": {cols["live"]: True}},
    ]
    for name, value in _facet_filters(query):
        filters.append({"term": {cols[name]: value}})
    if query.knowledge_point is not None:
        filters.append(
            {"term": {cols["knowledge_point_tree"]: query.knowledge_point.pk}}
        )
    start, _ = _page_bounds(query)
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
    must = [_engine_text_query(parsed, strict)] if parsed else []
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
    index = backend.get_index_for_model(CatalogEntryPage).name
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


# --- shared output ------------------------------------------------------------


def _label_facets(facets: dict[str, dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    type_labels = dict(ResourceType.choices)
    for name in FACETS:
        counts = facets.get(name, {})
        model = LABEL_MODELS.get(name)
        objs = model.objects.in_bulk(list(counts)) if model else {}
        rows = []
        for key, count in counts.items():
            if model:
                obj = objs.get(key)
                if obj is None:
                    continue
                rows.append({"value": obj.code, "label": obj.name, "count": count})
            elif name == "type":
                rows.append(
                    {
                        "value": key,
                        "label": str(type_labels.get(key, key)),
                        "count": count,
                    }
                )
            elif name == "quality":
                rows.append(
                    {
                        "value": "1" if key else "0",
                        "label": "精品" if key else "非精品",
                        "count": count,
                    }
                )
            else:
                rows.append({"value": str(key), "label": str(key), "count": count})
        rows.sort(key=lambda r: (-r["count"], r["value"]))
        out[name] = rows
    return out


# What a hit shows, read as plain values: building 20 pages with their lesson,
# video, stage and subject as model instances cost more than the engine query.
_HIT_VALUES = {
    "id": "pk",
    "title": "title",
    "summary": "summary",
    "url_path": "url_path",
    "stage_code": "stage__code",
    "stage_name": "stage__name",
    "subject_code": "subject__code",
    "subject_name": "subject__name",
    "grade": "grade__name",
    "type": "resource_type",
    "quality": "is_quality_pick",
    "year": "academic_year",
    "thumbnail": "lessonpage__video__thumbnail_jpeg",
    "duration": "lessonpage__video__duration",
}


def _thumbnail_url(name: str | None) -> str | None:
    from media_pipeline.models import Video

    if not name:
        return None
    return Video._meta.get_field("thumbnail_jpeg").storage.url(name)


def _url(pk: int, url_path: str, roots) -> str | None:
    """The entry's URL as `page.url` gives it, without a page instance when
    there is one site (the usual case)."""
    if len(roots) == 1 and url_path.startswith(roots[0].root_path):
        return url_path[len(roots[0].root_path) - 1 :]
    return CatalogEntryPage(pk=pk, id=pk, url_path=url_path).url


def _knowledge_points(pks: list[int]) -> dict[int, list[dict]]:
    through = CatalogEntryPage.knowledge_points.through
    order = [f"knowledgepoint__{f}" for f in KnowledgePoint._meta.ordering]
    points: dict[int, list[dict]] = {}
    rows = (
        through.objects.filter(catalogentrypage_id__in=pks)
        .order_by(*order)
        .values_list(
            "catalogentrypage_id", "knowledgepoint__code", "knowledgepoint__name"
        )
    )
    for pk, code, name in rows:
        points.setdefault(pk, []).append({"code": code, "name": name})
    return points


def _hits(pks: list[int], parsed: ParsedQuery) -> list[dict]:
    if not pks:
        return []
    rows = {
        row["pk"]: row
        for row in CatalogEntryPage.objects.filter(pk__in=pks)
        .annotate(is_quality_pick=quality_flag())
        .values(*_HIT_VALUES.values())
    }
    points = _knowledge_points(pks)
    terms = parsed.terms
    roots = Site.get_site_root_paths()
    hits = []
    for pk in pks:
        row = rows.get(pk)
        if row is None:  # deleted since it was indexed; reconcile fixes it
            continue
        v = {key: row[field] for key, field in _HIT_VALUES.items()}
        hits.append(
            {
                "id": pk,
                "title": v["title"],
                "title_html": highlight(v["title"], terms),
                "snippet": highlight(v["summary"] or v["title"], terms, limit=120),
                "stage": {"code": v["stage_code"], "name": v["stage_name"]},
                "subject": {"code": v["subject_code"], "name": v["subject_name"]},
                "grade": v["grade"],
                "type": v["type"],
                "quality": bool(v["quality"]),
                "year": v["year"],
                "knowledge_points": points.get(pk, []),
                "thumbnail": _thumbnail_url(v["thumbnail"]),
                "duration": v["duration"],
                "url": _url(pk, v["url_path"], roots),
            }
        )
    return hits


def suggest(q: str, limit: int = 10) -> list[dict]:
    """Titles and knowledge-point names starting with (then containing) `q`."""
    q = _UNPRINTABLE.sub("", q or "").strip()[:50]
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
