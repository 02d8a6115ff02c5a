"""The JSON API (/api/v1/), one django-ninja instance; OpenAPI at /api/v1/openapi.json.

Each capability contributes a router from its own app. Every error under
/api/v1/ is JSON with a bilingual `detail` (catalog/api_schemas.py): bad
parameters 400 with the parameter's name, unknown paths 404, other methods
405, unexpected failures 500 (logged like any Django server error).
"""

from __future__ import annotations

import logging
import re
from functools import wraps

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import ValidationError

logger = logging.getLogger("django.request")

NOT_FOUND = "接口不存在 / Not found"
NOT_ALLOWED = "该接口不支持此请求方法 / Method not allowed"
FORBIDDEN = "没有权限访问 / Forbidden"
SERVER_ERROR = "服务器出错了，请稍后再试 / Server error, please try again later"

# Pydantic error type → (Chinese, English) message, formatted with `param`
# and the error's context (max_length, ge, le, expected …).
INVALID = ("参数 {param} 的值无效", "invalid value for {param}")
INTEGER = ("参数 {param} 必须是整数", "{param} must be an integer")
VALIDATION_MESSAGES = {
    "missing": ("缺少参数 {param}", "{param} is required"),
    "string_too_short": ("参数 {param} 不能为空", "{param} must not be empty"),
    "string_too_long": (
        "参数 {param} 不能超过 {max_length} 个字符",
        "{param} must be at most {max_length} characters",
    ),
    "string_pattern_mismatch": (
        "参数 {param} 含有控制字符或无效编码",
        "{param} contains control characters or invalid encoding",
    ),
    "int_parsing": INTEGER,
    "int_from_float": INTEGER,
    "int_type": INTEGER,
    "greater_than_equal": (
        "参数 {param} 不能小于 {ge}",
        "{param} must be at least {ge}",
    ),
    "less_than_equal": ("参数 {param} 不能大于 {le}", "{param} must be at most {le}"),
    "literal_error": (
        "参数 {param} 只能是 {choices_zh} 之一",
        "{param} must be one of {choices}",
    ),
}


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
            response = JsonResponse({"detail": NOT_ALLOWED}, status=405)
            response["Allow"] = allow
        return response

    return URLPattern(pattern.pattern, wrapper, pattern.default_args, pattern.name)


@csrf_exempt  # answers 404 to every method; a CSRF 403 would be HTML
def _not_found(request):
    return JsonResponse({"detail": NOT_FOUND}, status=404)


api = WeikeAPI(
    title="微课联盟资源库 API / Weike API",
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
    zh, en = VALIDATION_MESSAGES.get(error.get("type"), INVALID)
    context = {**(error.get("ctx") or {}), "param": param}
    choices = re.findall(r"'([^']*)'", str(context.get("expected", "")))
    context |= {"choices": ", ".join(choices), "choices_zh": "、".join(choices)}
    detail = f"{zh.format(**context)} / {en.format(**context)}"
    return api.create_response(request, {"param": param, "detail": detail}, status=400)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": NOT_FOUND}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": FORBIDDEN}, status=403)


@api.exception_handler(SuspiciousOperation)
def suspicious(request, exc):
    # Django answers 400 and logs it to django.security; keep that.
    raise exc


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
    return api.create_response(request, {"detail": SERVER_ERROR}, status=500)
