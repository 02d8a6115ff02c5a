"""The site's answer when a request fails on the server.

A lost database (PostgreSQL restarting, failing over, out of connections) is
not a bug in the request: the visitor gets a 503 with one sentence in their
language and a Retry-After, JSON on the API and upload endpoints, instead of
the generic 500 page. Django closes the broken connection when the request
ends, and CONN_HEALTH_CHECKS (settings) makes the next request on that thread
reconnect instead of failing on it once more.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
# Clients of these paths read JSON, never a page (tus, the REST API).
JSON_PREFIXES = ("/api/", "/ingest/", "/media-pipeline/")


def database_unavailable(request, error: Exception):
    logger.warning("database unavailable: %s", error)
    message = _("The database cannot be reached right now. Please try again shortly.")
    if request.path.startswith(JSON_PREFIXES):
        response = JsonResponse(
            {"code": "database_unavailable", "detail": message}, status=503
        )
    else:
        response = render(request, "503.html", {"message": message}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, template_name: str = "500.html"):
    """handler500. Django calls it while it handles the exception, so
    sys.exc_info() is the error that ended the request."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        return database_unavailable(request, error)
    return defaults.server_error(request, template_name)
