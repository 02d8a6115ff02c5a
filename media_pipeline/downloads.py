"""Downloading a lesson's video: one MP4 rung picked here, never the original.

Which file is sent is decided on the server alone: the rung (the largest at or
below DOWNLOAD_MAX_HEIGHT, else the smallest there is), its stored name checked
to be an MP4 inside the video's own `renditions/<id>/` folder. The caller has
already checked the lesson allows downloads and `can_view_video`. The file name
the browser saves comes from the lesson's title, as an ASCII `filename` and an
RFC 5987 `filename*` (UTF-8), with nothing in it a header or a file system
could take for syntax.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, HttpResponse, HttpResponseRedirect

from .models import RenditionStatus

# 720p plays well on a classroom PC and keeps the file to a few hundred MB.
DOWNLOAD_MAX_HEIGHT = 720
MAX_TITLE_CHARS = 80
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")


def download_rendition(video):
    """The ready MP4 rung offered for download, or None."""
    if video is None:
        return None
    prefix = f"renditions/{video.pk}/"
    rungs = [
        r
        for r in video.renditions.filter(status=RenditionStatus.READY)
        if r.file
        and r.file.name.startswith(prefix)
        and r.file.name.endswith(".mp4")
        and ".." not in r.file.name
    ]
    if not rungs:
        return None
    fitting = [r for r in rungs if (r.height or 0) <= DOWNLOAD_MAX_HEIGHT]
    if fitting:
        return max(fitting, key=lambda r: r.height or 0)
    return min(rungs, key=lambda r: r.height or 0)


def _clean_title(title: str) -> str:
    """The title without characters that mean something to a header or a
    file system: controls, separators, quotes, and Unicode format marks."""
    text = unicodedata.normalize("NFC", str(title or ""))
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category.startswith("C") or ch in '/\\:*?"<>|;%':
            kept.append(" ")
        elif category.startswith("Z"):
            kept.append(" ")
        else:
            kept.append(ch)
    cleaned = " ".join("".join(kept).split()).strip(" .")
    return cleaned[:MAX_TITLE_CHARS].strip(" .")


def content_disposition(title: str, fallback: str) -> str:
    """`attachment; filename="<ascii>.mp4"; filename*=UTF-8''<utf-8>.mp4`."""
    name = _clean_title(title) or fallback
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore")
    ascii_name = _UNSAFE_ASCII.sub("_", ascii_name.decode("ascii")).strip("._-")
    if not re.search(r"[A-Za-z0-9]", ascii_name):
        ascii_name = fallback
    return (
        f'attachment; filename="{ascii_name}.mp4"; '
        f"filename*=UTF-8''{quote(name + '.mp4', safe='')}"
    )


def download_response(rendition, title: str, fallback: str):
    """The response that sends `rendition` as an attachment named from `title`."""
    name = rendition.file.name
    disposition = content_disposition(title, fallback)
    if not _is_local_storage():
        # Private bucket: a short-lived signed URL that makes S3 itself answer
        # with our Content-Disposition and type.
        url = default_storage.url(
            name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": "video/mp4",
            },
        )
        response = HttpResponseRedirect(url)
    elif prefix := settings.MEDIA_ACCEL_REDIRECT_PREFIX:
        # nginx sends the bytes and keeps our headers (deploy/nginx).
        response = HttpResponse(content_type="video/mp4")
        response["X-Accel-Redirect"] = prefix + quote(name, safe="/")
    else:
        response = FileResponse(
            default_storage.open(name, "rb"), content_type="video/mp4"
        )
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    # A draft's file may be sent to its author: no shared cache keeps it.
    response["Cache-Control"] = "private, no-store"
    return response


def _is_local_storage() -> bool:
    # default_storage is a lazy proxy: isinstance sees the wrapped storage.
    return isinstance(default_storage, FileSystemStorage)
