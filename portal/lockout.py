"""Login throttling hooks for django-axes (settings AXES_*; docs/site.md).

`client_ip` (portal/client_address.py) tells axes who is signing in;
`lockout_response` is what a locked-out username+address gets on the site's
and the admin's login form: the same login page, status 429, with one
sentence saying until when.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _


def lockout_message() -> str:
    # Every failure during a lockout starts the cool-off again, so "now +
    # cool-off" is when this very attempt stops counting.
    until = timezone.localtime() + settings.AXES_COOLOFF_TIME
    return _(
        "Too many failed sign-in attempts: this account is locked until %(time)s."
    ) % {"time": time_format(until, "H:i")}


class _Notice:
    """One entry of Wagtail's login page `messages` list."""

    tags = "error"

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text


def lockout_response(request, original_response=None, credentials=None):
    message = lockout_message()
    context = getattr(original_response, "context_data", None)
    form = (context or {}).get("form")
    if form is None:
        # Not one of our login pages (an API or XHR call): plain text.
        return HttpResponse(message, status=429, content_type="text/plain")
    response = TemplateResponse(
        request,
        original_response.template_name,
        {
            **context,
            # A fresh form: "wrong password" next to "locked" would mislead.
            "form": type(form)(request),
            "lockout_message": message,
            "messages": [_Notice(message)],  # Wagtail's login shows these
        },
        status=429,
    )
    # Returned from a middleware, so nothing else would render it.
    return response.render()
