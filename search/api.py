"""GET /api/v1/lessons/ and /api/v1/lessons/suggest/ (django-ninja router)."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Query, Router, Schema, Status
from pydantic import Field

from catalog.api_schemas import ParamError, code_or_name, optional
from catalog.models import District, Grade, KnowledgePoint, Stage, Subject
from catalog.models.pages import ResourceType

from .selectors import (
    MAX_PAGE,
    SORTS,
    SearchParamError,
    search_lessons,
    suggest,
)

router = Router(tags=["lessons"])


class NamedRef(Schema):
    code: str
    name: str


class Hit(Schema):
    id: int
    title: str
    title_html: str
    snippet: str
    stage: NamedRef
    subject: NamedRef
    grade: str | None
    type: str
    quality: bool
    year: int
    knowledge_points: list[NamedRef]
    thumbnail: str | None
    duration: float | None
    url: str | None


class FacetValue(Schema):
    value: str
    label: str
    count: int


class LessonPage(Schema):
    total: int
    page: int
    page_size: int
    relaxed: bool
    words: list[str]
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]


# Longest query the API accepts; more is refused (400), not searched. The
# text analysis reads at most 100 characters anyway (search/text.py).
MAX_QUERY_LENGTH = 200
SearchText = Annotated[str, Field(max_length=MAX_QUERY_LENGTH)]


def _code(model):
    return optional(code_or_name(model._meta.get_field("code").max_length))


class Filters(Schema):
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


class Suggestion(Schema):
    text: str
    kind: str
    code: str | None = None


@router.get(
    "/",
    response={200: LessonPage, 400: ParamError},
    summary="Search lessons and resources",
)
def list_lessons(request, filters: Query[Filters]):
    """Chinese full-text search (segmented words, pinyin initials) with filters
    and facet counts. `knowledge_point` includes its descendants; `sort` is
    relevance, newest or views. Bad parameters answer 400 with a reason;
    `q` is at most 200 characters."""
    params = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    try:
        results = search_lessons(params)
    except SearchParamError as exc:
        return Status(400, {"param": exc.param, "detail": exc.reason})
    return Status(200, results.__dict__)


@router.get(
    "/suggest/",
    response={200: list[Suggestion], 400: ParamError},
    summary="Suggestions while typing",
)
def suggest_lessons(request, q: SearchText = ""):
    """Lesson titles and knowledge-point names starting with (then containing) q."""
    return suggest(q)
