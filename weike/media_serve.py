"""Serving local media files (the embedded default) with access checks.

With S3 the bucket is private and every URL is signed; on the local disk the
same promise needs a gate: video files go through `can_view_video`, Wagtail
images are public, and everything else (originals, documents, pending
imports) is never served directly — documents have Wagtail's own serve view.
"""

import re

from django.conf import settings
from django.http import Http404
from django.urls import re_path
from django.views.static import serve

from media_pipeline.access import can_view_video
from media_pipeline.models import Video

PUBLIC_PREFIXES = ("images/", "original_images/")
RENDITION = re.compile(r"^renditions/(\d+)/")


def protected_media(request, path):
    match = RENDITION.match(path)
    if match:
        video = Video.objects.filter(pk=int(match.group(1))).first()
        if video is None or not can_view_video(request.user, video):
            raise Http404
    elif not path.startswith(PUBLIC_PREFIXES):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def media_urlpatterns():
    prefix = settings.MEDIA_URL.lstrip("/")
    return [re_path(rf"^{re.escape(prefix)}(?P<path>.*)$", protected_media)]
