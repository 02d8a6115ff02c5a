"""URLs for browser tests: the site plus media files (DEBUG is off in tests,
so weike.urls does not serve them, but the player must load renditions)."""

import re

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from weike.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    re_path(
        rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
        serve,
        {"document_root": settings.MEDIA_ROOT},
    ),
    *site_urlpatterns,
]
