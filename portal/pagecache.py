"""Whole-response cache for anonymous visitors (most of the site's traffic).

`AnonymousPageCacheMiddleware` answers a cached page before URL routing and
Wagtail's page lookup run; a page opts in by marking the request (the
`before_serve_page` hook for Wagtail pages, `cached_view` for portal views).
Keys embed the catalog version (portal/cache.py), so publishing or
unpublishing anything makes every cached page stale at once; the short
timeout bounds how old view counts and quality flags on a page can be.
A hit on a lesson page still counts the view. Logged-in users (any session
cookie) always get a fresh render.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from .cache import catalog_version
from .viewcounts import record_view

MARK = "_portal_page_cache"
# Headers a hit must carry like the original response.
KEPT_HEADERS = ("Content-Type", "Content-Language", "X-Frame-Options", "Vary")


def timeout() -> int:
    return int(getattr(settings, "WEIKE_PAGE_CACHE_SECONDS", 0) or 0)


def cacheable(request) -> bool:
    if not timeout() or request.method != "GET":
        return False
    # No session cookie means anonymous without touching the session store.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _key(request) -> str:
    digest = hashlib.sha1(request.get_full_path().encode()).hexdigest()
    lang = getattr(request, "LANGUAGE_CODE", "")
    return f"portal:page:v{catalog_version()}:{lang}:{request.get_host()}:{digest}"


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
                record_view(page_id)
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
