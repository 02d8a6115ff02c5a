"""The /find/ results page, rendered from the search app's `search_lessons`
(the same query as GET /api/v1/lessons/), with facets and highlighted hits."""

from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from search.params import SearchParamError
from search.selectors import SearchUnavailable, search_lessons

# Facets shown on the page, in order, with their titles.
SHOWN_FACETS = [
    ("stage", _("Stage")),
    ("subject", _("Subject")),
    ("grade", _("Grade")),
    ("type", _("Resource type")),
    ("quality", _("Quality pick")),
    ("year", _("Academic year")),
    ("district", _("District")),
]
MAX_BUCKETS = 12


def find(params) -> dict:
    query = (params.get("q") or "").strip()[:200]
    context = {"query": query, "results": [], "facets": [], "total": 0}
    if not query and not any(params.get(name) for name, _t in SHOWN_FACETS):
        return context
    try:
        result = search_lessons(params)
    except SearchParamError as error:
        context["error"] = error.reason
        return context
    except SearchUnavailable as error:
        context["error"] = error.reason
        context["unavailable"] = True
        return context
    context["total"] = result.total
    context["relaxed"] = result.relaxed
    context["did_you_mean"] = result.did_you_mean
    context["results"] = [
        dict(
            hit,
            # escaped by text_analysis.chinese.highlight
            title_html=mark_safe(hit["title_html"]),
            snippet=mark_safe(hit["snippet"]),
        )
        for hit in result.hits
    ]
    facets = []
    for name, title in SHOWN_FACETS:
        active = params.get(name) or ""
        buckets = [
            dict(bucket, active=str(bucket["value"]) == active)
            for bucket in result.facets.get(name, [])[:MAX_BUCKETS]
        ]
        facets.append({"name": name, "title": title, "buckets": buckets})
    context["facets"] = facets
    pages = -(-result.total // result.page_size) if result.total else 0
    context["page"] = result.page
    context["pages"] = pages
    context["has_next"] = result.page < pages
    context["has_prev"] = result.page > 1
    return context
