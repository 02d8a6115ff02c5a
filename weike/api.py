"""The JSON API (/api/v1/), one django-ninja instance; OpenAPI at /api/v1/openapi.json.

Each capability contributes a router from its own app. Every error under
/api/v1/ is JSON with a `detail`, one sentence in the request's language
(catalog/api_schemas.py): bad parameters 400 with the parameter's name,
unknown paths 404, other methods 405, unexpected failures 500 (logged like
any Django server error).
"""

from __future__ import annotations

import logging
import re
from functools import wraps

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, re_path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import ValidationError

from . import errors

logger = logging.getLogger("django.request")

NOT_FOUND = _("Not found.")
NOT_ALLOWED = _("This method is not allowed here.")
FORBIDDEN = _("You may not access this.")
SERVER_ERROR = _("Something went wrong on the server; please try again later.")

# Pydantic error type → message, formatted after translation with `param`
# and the error's context (max_length, ge, le, choices …).
INVALID = _("Invalid value for %(param)s.")
INTEGER = _("%(param)s must be an integer.")
VALIDATION_MESSAGES = {
    "missing": _("%(param)s is required."),
    "string_too_short": _("%(param)s must not be empty."),
    "string_too_long": _("%(param)s must be at most %(max_length)s characters."),
    "string_pattern_mismatch": _(
        "%(param)s contains control characters or an invalid encoding."
    ),
    "int_parsing": INTEGER,
    "int_from_float": INTEGER,
    "int_type": INTEGER,
    "greater_than_equal": _("%(param)s must be at least %(ge)s."),
    "less_than_equal": _("%(param)s must be at most %(le)s."),
    "literal_error": _("%(param)s must be one of %(choices)s."),
}
# Between the items of a list in a sentence ("、" in Chinese).
LIST_SEPARATOR = _(", ")


class WeikeAPI(NinjaAPI):
    """NinjaAPI whose URLs answer JSON for unknown paths and wrong methods too
    (ninja leaves those to Django, which answers HTML or plain text)."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        patterns = [_json_method_not_allowed(p) for p in patterns]
        patterns.append(re_path(r"^.*/$", _not_found, name="not-found"))
        return patterns, app_name, namespace


def _json_method_not_allowed(pattern):
    if not isinstance(pattern, URLPattern):
        return pattern
    view = pattern.callback

    @wraps(view)  # keeps csrf_exempt: ninja views check CSRF themselves
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allow = response["Allow"]
            response = JsonResponse({"detail": str(NOT_ALLOWED)}, status=405)
            response["Allow"] = allow
        return response

    return URLPattern(pattern.pattern, wrapper, pattern.default_args, pattern.name)


@csrf_exempt  # answers 404 to every method; a CSRF 403 would be HTML
def _not_found(request):
    return JsonResponse({"detail": str(NOT_FOUND)}, status=404)


api = WeikeAPI(
    title="Weike API",
    version="1",
    urls_namespace="api-v1",
)

api.add_router("/lessons/", "search.api.router")
api.add_router("/quotas/", "dashboard.api.quotas_router")
api.add_router("/coverage/", "dashboard.api.coverage_router")


@api.exception_handler(ValidationError)
def bad_parameter(request, exc: ValidationError):
    """400 with the first bad parameter and why (like search's own 400s)."""
    error = exc.errors[0]
    loc = error.get("loc") or ()
    param = str(loc[-1]) if len(loc) > 1 else str(loc[0] if loc else "")
    template = VALIDATION_MESSAGES.get(error.get("type"), INVALID)
    context = {**(error.get("ctx") or {}), "param": param}
    choices = re.findall(r"'([^']*)'", str(context.get("expected", "")))
    context["choices"] = str(LIST_SEPARATOR).join(choices)
    try:
        detail = str(template) % context
    except (KeyError, TypeError, ValueError):
        detail = str(INVALID) % {"param": param}
    return api.create_response(request, {"param": param, "detail": detail}, status=400)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(NOT_FOUND)}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(FORBIDDEN)}, status=403)


@api.exception_handler(SuspiciousOperation)
def suspicious(request, exc):
    # Django answers 400 and logs it to django.security; keep that.
    raise exc


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request, exc):
    # The database, not the request, failed: 503 and Retry-After (errors.py).
    return errors.database_unavailable(request, exc)


@api.exception_handler(Exception)
def server_error(request, exc):
    """JSON 500 instead of the site's HTML page; reported as Django reports an
    uncaught exception (the signal, then `django.request` with the traceback)."""
    got_request_exception.send(sender=None, request=request)
    logger.error(
        "Internal Server Error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    return api.create_response(request, {"detail": str(SERVER_ERROR)}, status=500)
