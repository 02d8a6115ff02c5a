"""GET /api/v1/lessons/ and /api/v1/lessons/suggest/ (django-ninja router)."""

from __future__ import annotations

from ninja import Query, Router, Schema, Status

from catalog.api_schemas import ApiError, ParamError

from .params import SearchFilters, SearchParamError, SearchText
from .selectors import SearchUnavailable, search_lessons, suggest

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
    # A query that sounds the same, written as the catalog writes it, that
    # finds entries with every word (only when this one found none).
    did_you_mean: str | None = None
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]


class Suggestion(Schema):
    text: str
    kind: str
    code: str | None = None


@router.get(
    "/",
    response={200: LessonPage, 400: ParamError, 503: ApiError},
    summary="Search lessons and resources",
)
def list_lessons(request, filters: Query[SearchFilters]):
    """Chinese full-text search (segmented words, pinyin initials) with filters
    and facet counts. `knowledge_point` includes its descendants; `sort` is
    relevance, newest or views. Bad parameters answer 400 with a reason;
    an engine that is down, too slow or without its index answers 503;
    `q` is at most 200 characters."""
    params = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    try:
        results = search_lessons(params)
    except SearchParamError as exc:
        return Status(400, {"param": exc.param, "detail": exc.reason})
    except SearchUnavailable as exc:
        return Status(503, {"detail": str(exc.reason)})
    return Status(200, results.__dict__)


@router.get(
    "/suggest/",
    response={200: list[Suggestion], 400: ParamError},
    summary="Suggestions while typing",
)
def suggest_lessons(request, q: SearchText = ""):
    """Lesson titles and knowledge-point names starting with (then containing) q."""
    return suggest(q)
