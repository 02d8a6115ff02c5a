"""What a search answers: hits as plain values (highlighted title and
snippet, taxonomy, knowledge points, thumbnail, URL) and labelled facets."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
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

from . import facet_labels
from .params import FACETS

QUALITY, NOT_QUALITY = _("Quality pick"), _("Not a quality pick")
LABEL_MODELS = {
    "stage": Stage,
    "subject": Subject,
    "grade": Grade,
    "edition": TextbookEdition,
    "district": District,
    "knowledge_point": KnowledgePoint,
}


@dataclass
class LessonResults:
    total: int
    page: int
    page_size: int
    hits: list[dict]
    facets: dict[str, list[dict]]
    relaxed: bool = False
    words: list[str] = field(default_factory=list)
    did_you_mean: str | None = None


def label_facets(facets: dict[str, dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    type_labels = dict(ResourceType.choices)
    for name in FACETS:
        counts = facets.get(name, {})
        model = LABEL_MODELS.get(name)
        known = facet_labels.labels(model, list(counts)) if model and counts else {}
        rows = []
        for key, count in counts.items():
            if model:
                if key not in known:
                    continue
                code, label = known[key]
                rows.append({"value": code, "label": label, "count": count})
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
                        "label": str(QUALITY if key else NOT_QUALITY),
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


def hits(pks: list[int], parsed: ParsedQuery) -> list[dict]:
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
    out = []
    for pk in pks:
        row = rows.get(pk)
        if row is None:  # deleted since it was indexed; reconcile fixes it
            continue
        v = {key: row[field] for key, field in _HIT_VALUES.items()}
        out.append(
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
    return out
