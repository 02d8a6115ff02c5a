"""The Content-Security-Policy middleware: django-csp's, plus the admin's policy.

The site runs under the strict policy of settings.CONTENT_SECURITY_POLICY.
Wagtail's admin templates need inline scripts and styles, so requests under
CSP_ADMIN_PREFIXES get CSP_ADMIN_REPLACE on top (a view's own @csp_replace
still wins).
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


def is_admin_request(request) -> bool:
    return request.path_info.startswith(tuple(settings.CSP_ADMIN_PREFIXES))


class WeikeCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if is_admin_request(request):
            parts.replace = {**settings.CSP_ADMIN_REPLACE, **(parts.replace or {})}
        return parts
