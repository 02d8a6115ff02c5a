"""Quota counts from OpenSearch or Elasticsearch aggregations.

The dashboard keeps its own small index: one document per *live* catalog
entry, with only what counting needs (ids, publication and designation
year/month in Asia/Shanghai, knowledge points). modelsearch's faceting is one
terms aggregation per field, so the multi-dimensional counts are asked with
the engine's own client directly (opensearch-py or the elasticsearch 8
client, by the URL's scheme: dashboard/engine_client.py). The "cube cells"
(`pub_cell`, `pick_cell`) pack the dimensions into one long at index time,
so a year's whole cube is two composite aggregations over one numeric field
each, in one request; that is what keeps 1M documents fast.

The index is kept up to date by signals → django-tasks (dashboard/signals.py)
and rebuilt by `manage.py sync_quota_index`.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings

from catalog.models import CatalogEntryPage, ResourceType

from .cube import PICK, PUB, Cube, RuleSpec, local_year_month
from .engine_client import OpenSearchCalls, calls_for
from .recordings import counted_once

PAGE = 10_000  # composite aggregation page size (below search.max_buckets)
KP_PAGE = 50_000  # knowledge points: usually all in one page, one round trip
# Stable order of resource types inside the packed cell (append new types).
TYPE_CODES = {t: i for i, t in enumerate(ResourceType.values)}
TYPES_BY_CODE = {i: t for t, i in TYPE_CODES.items()}

MAPPING = {
    "dynamic": "strict",
    "properties": {
        "stage": {"type": "integer"},
        "subject": {"type": "integer"},
        "rtype": {"type": "keyword"},
        "district": {"type": "integer"},
        "school": {"type": "integer"},
        "author": {"type": "integer"},
        "is_pick": {"type": "boolean"},
        "pub_year": {"type": "short"},
        "pub_month": {"type": "byte"},
        "pick_year": {"type": "short"},
        "pick_month": {"type": "byte"},
        "kp_ids": {"type": "integer"},
        # The document's cube cell packed in one long (see encode_cell).
        "pub_cell": {"type": "long"},
        "pick_cell": {"type": "long"},
    },
}


def index_name() -> str:
    return getattr(settings, "DASHBOARD_QUOTA_INDEX", "weike_quota")


def client(url: str | None = None) -> OpenSearchCalls:
    """The quota index's calls on the configured engine's own client."""
    return calls_for(url or settings.DASHBOARD_QUOTA_ENGINE_URL)


def encode_cell(stage, subject, rtype, district, month) -> int:
    """(stage, subject, type, district, month) → one long: 16+16+4+16+4 bits.

    A composite aggregation over one numeric field is several times faster
    than terms over a keyword or several sources (measured: bench/quotas.py).
    """
    district = district or 0
    if max(stage, subject, district) >= 1 << 16:
        raise ValueError("taxonomy ids above 65535 do not fit the quota cell")
    cell = (stage << 16) | subject
    cell = (cell << 4) | TYPE_CODES[rtype]
    cell = (cell << 16) | district
    return (cell << 4) | month


def decode_cell(cell: int) -> tuple:
    month, cell = cell & 0xF, cell >> 4
    district, cell = cell & 0xFFFF, cell >> 16
    rtype, cell = TYPES_BY_CODE[cell & 0xF], cell >> 4
    subject, stage = cell & 0xFFFF, cell >> 16
    return month, stage, subject, rtype, district or None


def make_doc(
    *,
    stage,
    subject,
    rtype,
    district,
    school,
    author,
    first_published_at,
    is_pick,
    picked_at,
    kp_ids=(),
) -> dict:
    pub_year, pub_month = local_year_month(first_published_at)
    pick_year, pick_month = local_year_month(picked_at) if is_pick else (None, None)
    return {
        "stage": stage,
        "subject": subject,
        "rtype": rtype,
        "district": district,
        "school": school,
        "author": author,
        "is_pick": bool(is_pick),
        "pub_year": pub_year,
        "pub_month": pub_month,
        "pick_year": pick_year,
        "pick_month": pick_month,
        "kp_ids": list(kp_ids),
        "pub_cell": encode_cell(stage, subject, rtype, district, pub_month)
        if pub_year
        else None,
        "pick_cell": encode_cell(stage, subject, rtype, district, pick_month)
        if pick_year
        else None,
    }


_FIELDS = (
    "pk",
    "stage_id",
    "subject_id",
    "resource_type",
    "district_id",
    "school_id",
    "author_id",
    "first_published_at",
    "quality_pick__picked_at",  # None: not a pick (catalog.QualityPick)
)


def _docs_from_rows(rows, kp_map):
    for r in rows:
        yield (
            r[0],
            make_doc(
                stage=r[1],
                subject=r[2],
                rtype=r[3],
                district=r[4],
                school=r[5],
                author=r[6],
                first_published_at=r[7],
                is_pick=r[8] is not None,
                picked_at=r[8],
                kp_ids=kp_map.get(r[0], ()),
            ),
        )


def _kp_map(page_ids=None) -> dict[int, list[int]]:
    through = CatalogEntryPage.knowledge_points.through
    qs = through.objects.all()
    if page_ids is not None:
        qs = qs.filter(catalogentrypage_id__in=page_ids)
    out = defaultdict(list)
    for page_id, kp_id in qs.values_list("catalogentrypage_id", "knowledgepoint_id"):
        out[page_id].append(kp_id)
    return out


class QuotaIndex:
    def __init__(self, url: str | None = None, name: str | None = None):
        self.calls = client(url)
        # The engine's own client (opensearch-py or elasticsearch), for tools.
        self.es = self.calls.es
        self.name = name or index_name()

    def create(self, recreate: bool = False) -> None:
        if recreate:
            self.calls.drop(self.name)
        if not self.calls.exists(self.name):
            self.calls.create(
                self.name, {"number_of_shards": 1, "number_of_replicas": 0}, MAPPING
            )

    def drop(self) -> None:
        self.calls.drop(self.name)

    def refresh(self) -> None:
        self.calls.refresh(self.name)

    def bulk(self, pairs, refresh=False) -> int:
        actions = (
            {"_index": self.name, "_id": str(pk), "_source": doc} for pk, doc in pairs
        )
        return self.calls.bulk(actions, refresh=refresh)

    def sync_all(self) -> int:
        """Rebuild from the database: every live entry that counts (a repeated
        recording is left out, as the database counter leaves it out)."""
        self.create(recreate=True)
        live = counted_once(CatalogEntryPage.objects.filter(live=True))
        rows = live.values_list(*_FIELDS)
        n = self.bulk(_docs_from_rows(rows.iterator(chunk_size=5000), _kp_map()))
        self.refresh()
        return n

    def sync_entry(self, page_id: int, refresh: bool = False) -> bool:
        """Index one entry if it is live and counts, remove it otherwise;
        True if indexed."""
        self.create()
        live = counted_once(CatalogEntryPage.objects.filter(pk=page_id, live=True))
        rows = list(live.values_list(*_FIELDS))
        if rows:
            (pk, doc), *_ = _docs_from_rows(rows, _kp_map([page_id]))
            self.calls.put(self.name, str(pk), doc, refresh=refresh)
            return True
        self.calls.remove(self.name, str(page_id), refresh=refresh)
        return False


class EngineCounter:
    """Counts with one aggregation request over the quota index."""

    name = "engine"

    def __init__(self, url: str | None = None, name: str | None = None):
        self.index = QuotaIndex(url, name)

    def _composite(self, queries: dict, missing_bucket=False, page=None) -> dict:
        """Composite aggregations run to the end; {name: [(key, count)]}.

        `queries` maps a name to (query, field[, page size]). A composite
        aggregation belongs at the top level (nested under a `filter` aggregation, 2.19
        returned unfiltered buckets in our tests), so each name is a search;
        all of them go in one `_msearch` round trip, and a further one only
        when a result has more than PAGE cells.
        """
        sizes = {n: q[2] if len(q) > 2 else page or PAGE for n, q in queries.items()}
        out = {name: [] for name in queries}
        after = {}
        pending = list(queries)
        while pending:
            lines = []
            for name in pending:
                query, field_name = queries[name][:2]
                source = {
                    "terms": {"field": field_name, "missing_bucket": missing_bucket}
                }
                composite = {"size": sizes[name], "sources": [{"k": source}]}
                if name in after:
                    composite["after"] = after[name]
                lines += [
                    {"index": self.index.name},
                    {
                        "size": 0,
                        "track_total_hits": False,
                        "query": query,
                        "aggs": {"cells": {"composite": composite}},
                    },
                ]
            responses = self.index.calls.msearch(lines)
            next_pending = []
            for name, response in zip(pending, responses, strict=True):
                if "error" in response:
                    raise RuntimeError(f"quota aggregation failed: {response['error']}")
                cells = response["aggregations"]["cells"]
                buckets = cells["buckets"]
                out[name].extend((b["key"]["k"], b["doc_count"]) for b in buckets)
                if len(buckets) == sizes[name] and cells.get("after_key"):
                    after[name] = cells["after_key"]
                    next_pending.append(name)
            pending = next_pending
        return out

    def _cube_queries(self, year, district_id) -> dict:
        def query(field_name):
            filters = [{"term": {field_name: year}}]
            if district_id:
                filters.append({"term": {"district": district_id}})
            return {"bool": {"filter": filters}}

        return {
            PUB: (query("pub_year"), "pub_cell"),
            PICK: (query("pick_year"), "pick_cell"),
        }

    @staticmethod
    def _to_cube(cells) -> Cube:
        cube: Cube = {}
        for kind in (PUB, PICK):
            for cell, count in cells[kind]:
                cube[(kind, *decode_cell(cell))] = count
        return cube

    def prefetch(self, year: int, district_id: int | None = None) -> None:
        """The year's cube and the covered points in one `_msearch`.

        The node runs the searches of one msearch concurrently, so the
        dashboard waits for the slower one, not the sum. The results are used
        once by the next cube() / covered_point_ids() call (no staleness).
        """
        queries = self._cube_queries(year, district_id)
        queries["kp"] = (self._picks_query(), "kp_ids", KP_PAGE)
        cells = self._composite(queries)
        self._prefetched = {
            ("cube", year, district_id): self._to_cube(cells),
            ("kp",): {kp for kp, _count in cells["kp"]},
        }

    def _take(self, key):
        return getattr(self, "_prefetched", {}).pop(key, None)

    def cube(self, year: int, district_id: int | None = None) -> Cube:
        cube = self._take(("cube", year, district_id))
        if cube is None:
            cube = self._to_cube(self._composite(self._cube_queries(year, district_id)))
        return cube

    def rule_filter(self, spec: RuleSpec) -> list[dict]:
        filters = [
            {"terms": {"stage": sorted(spec.stage_ids)}},
            {"terms": {"rtype": sorted(spec.types)}},
        ]
        if spec.subject_id:
            filters.append({"term": {"subject": spec.subject_id}})
        if spec.district_id:
            filters.append({"term": {"district": spec.district_id}})
        if spec.quality_only:
            filters.append({"term": {"pick_year": spec.year}})
        else:
            filters.append({"term": {"pub_year": spec.year}})
        return filters

    def breakdown(self, spec: RuleSpec, by: str, district_id=None) -> dict:
        field_name = {"district": "district", "school": "school", "teacher": "author"}[
            by
        ]
        filters = self.rule_filter(spec)
        if district_id:
            filters.append({"term": {"district": district_id}})
        cells = self._composite(
            {"by": ({"bool": {"filter": filters}}, field_name)}, missing_bucket=True
        )
        return dict(cells["by"])

    @staticmethod
    def _picks_query() -> dict:
        return {
            "bool": {
                "filter": [
                    {"term": {"is_pick": True}},
                    {"term": {"rtype": str(ResourceType.MICRO_LESSON)}},
                ]
            }
        }

    def covered_point_ids(self) -> set[int]:
        """Knowledge points with a live quality micro-lesson attached."""
        ids = self._take(("kp",))
        if ids is None:
            cells = self._composite({"kp": (self._picks_query(), "kp_ids", KP_PAGE)})
            ids = {kp for kp, _count in cells["kp"]}
        return ids
