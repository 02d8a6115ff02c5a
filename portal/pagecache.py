"""Whole-response cache for anonymous visitors (most of the site's traffic).

`AnonymousPageCacheMiddleware` answers a cached page before URL routing and
Wagtail's page lookup run; a page opts in by marking the request (the
`before_serve_page` hook for Wagtail pages, `cached_view` for portal views).
Keys embed the catalog version (portal/cache.py), so publishing or
unpublishing anything makes every cached page stale at once; the short
timeout bounds how old view counts and quality flags on a page can be.
A hit on a lesson page still counts the view. Logged-in users (any session
cookie) always get a fresh render.

Only a bounded set of URLs is cached, so anonymous requests cannot grow the
cache (issue 11): a query string may hold only the allow-listed parameters
below, each once, with a value from a small set in its one normal spelling.
Anything else (search results with ?q=, facet combinations, tracking
parameters, junk) is rendered fresh and never stored. The key is a hash of
the path and the allow-listed parameters in a fixed order.
"""

import hashlib
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from .cache import catalog_version
from .viewcounts import record_visit

MARK = "_portal_page_cache"
KEY_PREFIX = "portal:page:"
# Listing pages beyond this are rare; not caching them bounds the keys per page.
MAX_CACHED_PAGE = 20
# A query string longer than any allow-listed one is not even parsed.
MAX_QUERY_STRING = 64


def _page_number(value: str) -> bool:
    # Canonical ASCII digits only: "01" or a fullwidth "１" would be a second
    # key for the same page.
    return (
        value.isascii()
        and value.isdigit()
        and str(int(value)) == value
        and 1 <= int(value) <= MAX_CACHED_PAGE
    )


# Query parameters a cached page may carry, with a check of the value: the
# listing pages' page number and sort order (portal.selectors.SORTS).
CACHED_PARAMS = {
    "p": _page_number,
    "sort": lambda value: value in ("newest", "views", "quality"),
}
# Headers a hit must carry like the original response.
KEPT_HEADERS = ("Content-Type", "Content-Language", "X-Frame-Options", "Vary")


def timeout() -> int:
    return int(getattr(settings, "WEIKE_PAGE_CACHE_SECONDS", 0) or 0)


def cacheable(request) -> bool:
    if not timeout() or request.method != "GET":
        return False
    # No session cookie means anonymous without touching the session store.
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    return cached_params(request) is not None


def cached_params(request) -> list[tuple[str, str]] | None:
    """The query parameters in their normal form, or None if the page's query
    string keeps it out of the cache."""
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        return None
    params = []
    for name, values in request.GET.lists():
        check = CACHED_PARAMS.get(name)
        if check is None or len(values) != 1 or not check(values[0]):
            return None
        params.append((name, values[0]))
    return sorted(params)


def _key(request) -> str:
    normal = f"{request.path}?{urlencode(cached_params(request) or [])}"
    digest = hashlib.sha256(normal.encode()).hexdigest()[:40]
    lang = getattr(request, "LANGUAGE_CODE", "")
    return f"{KEY_PREFIX}v{catalog_version()}:{lang}:{request.get_host()}:{digest}"


def mark(request, page_id=None) -> None:
    """Let the middleware store this response (page_id: count views on hits)."""
    setattr(request, MARK, {"page_id": page_id})


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cacheable(request):
            return self.get_response(request)
        key = _key(request)
        hit = cache.get(key)
        if hit is not None:
            content, headers, page_id = hit
            if page_id:
                record_visit(request, page_id)
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            response["X-Weike-Cache"] = "hit"
            return response
        response = self.get_response(request)
        marked = getattr(request, MARK, None)
        if (
            marked is not None
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            headers = {h: response[h] for h in KEPT_HEADERS if h in response}
            cache.set(key, (response.content, headers, marked["page_id"]), timeout())
        return response


def cached_view(view):
    """Decorator for portal views: anonymous GETs may be served from cache."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        mark(request)
        return view(request, *args, **kwargs)

    return wrapper
