"""Request validation for the catalog search.

`SearchFilters` is the typed schema the API declares (so the OpenAPI document
lists every parameter with its bounds); `parse_params` turns raw parameters,
from the API or from the site's /find/ page, into a `LessonQuery` with the
taxonomy objects resolved, or raises `SearchParamError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Literal

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import Field

from catalog.api_schemas import code_or_name, optional
from catalog.models import District, Grade, KnowledgePoint, Stage, Subject
from catalog.models.pages import ResourceType

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


class SearchParamError(ValueError):
    """A bad query parameter; `reason` is one sentence in the active language."""

    def __init__(self, param: str, reason: str):
        self.param = param
        self.reason = str(reason)
        super().__init__(self.reason)


# What each parameter is called in a sentence.
LABELS = {
    "stage": _("stage"),
    "subject": _("subject"),
    "grade": _("grade"),
    "district": _("district"),
    "knowledge_point": _("knowledge point"),
    "year": _("school year"),
    "page": _("page number"),
}
INVALID_CODE = _("Invalid %(what)s code.")
UNKNOWN_CODE = _("Unknown %(what)s: %(value)s.")
NOT_INTEGER = _("The %(what)s must be a whole number.")
OUT_OF_RANGE = _("The %(what)s must be between %(lo)s and %(hi)s.")
UNKNOWN_TYPE = _("Unknown resource type: %(value)s (one of %(choices)s).")
BAD_QUALITY = _("quality must be 1 or 0.")
UNKNOWN_SORT = _("Unknown sort: %(value)s (one of %(choices)s).")


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


# Control characters and U+FFFD (an invalid UTF-8 byte): never in a code or a
# search, and PostgreSQL refuses NUL in any query value.
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ufffd]")


def _by_code(model, param, value):
    if value in (None, ""):
        return None
    value = str(value)
    if len(value) > model._meta.get_field("code").max_length or UNPRINTABLE.search(
        value
    ):
        # Not a code at all: refused without a query, and not echoed back.
        raise SearchParamError(param, INVALID_CODE % {"what": LABELS[param]})
    obj = model.objects.filter(code=value).first()
    if obj is None:
        raise SearchParamError(
            param, UNKNOWN_CODE % {"what": LABELS[param], "value": value}
        )
    return obj


def _int(param, value, lo, hi):
    if value in (None, ""):
        return None
    try:
        number = int(str(value))
    except ValueError:
        raise SearchParamError(param, NOT_INTEGER % {"what": LABELS[param]}) from None
    if not lo <= number <= hi:
        raise SearchParamError(
            param, OUT_OF_RANGE % {"what": LABELS[param], "lo": lo, "hi": hi}
        )
    return number


def parse_params(data: Mapping) -> LessonQuery:
    """Validate raw query parameters (a QueryDict or dict of strings)."""
    get = data.get
    query = LessonQuery(q=str(get("q") or ""))
    query.stage = _by_code(Stage, "stage", get("stage"))
    query.subject = _by_code(Subject, "subject", get("subject"))
    query.grade = _by_code(Grade, "grade", get("grade"))
    query.district = _by_code(District, "district", get("district"))
    query.knowledge_point = _by_code(
        KnowledgePoint, "knowledge_point", get("knowledge_point")
    )
    rtype = get("type")
    if rtype not in (None, ""):
        if rtype not in ResourceType.values:
            raise SearchParamError(
                "type",
                UNKNOWN_TYPE
                % {"value": rtype, "choices": ", ".join(ResourceType.values)},
            )
        query.type = rtype
    quality = get("quality")
    if quality not in (None, ""):
        if str(quality).lower() not in ("1", "0", "true", "false"):
            raise SearchParamError("quality", BAD_QUALITY)
        query.quality = str(quality).lower() in ("1", "true")
    query.year = _int("year", get("year"), 2000, 2100)
    sort = get("sort") or "relevance"
    if sort not in SORTS:
        raise SearchParamError(
            "sort", UNKNOWN_SORT % {"value": sort, "choices": ", ".join(SORTS)}
        )
    query.sort = sort
    query.page = _int("page", get("page"), 1, MAX_PAGE) or 1
    return query


def facet_filters(query: LessonQuery):
    """(facet name, value) of every facet filter `query` sets, the knowledge
    point aside (it also matches its descendants)."""
    for name in ("stage", "subject", "grade", "district", "type", "quality", "year"):
        value = getattr(query, name)
        if value not in (None, ""):
            yield name, getattr(value, "pk", value)


def page_bounds(query: LessonQuery) -> tuple[int, int]:
    start = (query.page - 1) * query.page_size
    return start, start + query.page_size


# Longest query the API accepts; more is refused (400), not searched. The
# text analysis reads at most 100 characters anyway (text_analysis/chinese.py).
MAX_QUERY_LENGTH = 200
SearchText = Annotated[str, Field(max_length=MAX_QUERY_LENGTH)]


def _code(model):
    return optional(code_or_name(model._meta.get_field("code").max_length))


class SearchFilters(Schema):
    q: SearchText = ""
    stage: _code(Stage) = None
    subject: _code(Subject) = None
    grade: _code(Grade) = None
    knowledge_point: _code(KnowledgePoint) = None
    type: optional(Literal[tuple(ResourceType.values)]) = None
    quality: optional(Literal["1", "0", "true", "false"]) = None
    year: optional(Annotated[int, Field(ge=2000, le=2100)]) = None
    district: _code(District) = None
    sort: optional(Literal[SORTS]) = None
    page: optional(Annotated[int, Field(ge=1, le=MAX_PAGE)]) = None
