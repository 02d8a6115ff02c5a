"""Serving local media files (the embedded default) with access checks.

With S3 the bucket is private and every URL is signed; on the local disk the
same promise needs a gate. The gate decides on the file that would actually
be opened, never on the text of the URL: the path is refused outright if it
contains anything a plain stored name never does (`%`, `\\`, control
characters, `.`/`..` or empty segments, Unicode look-alikes), then resolved
with symlinks against MEDIA_ROOT, and only then is the access rule applied to
the resolved name:

* `renditions/<video id>/…` — only through `can_view_video`;
* `images/…`, `original_images/…` (Wagtail) — public;
* everything else (originals, documents, pending imports, unknown) — never.

Only files whose extension is in `media_pipeline.media_types` are served, with
that type, `nosniff` and a sandboxing CSP, so an uploaded HTML or SVG file can
never run as a page of this site.

Behind nginx (WEIKE_MEDIA_ACCEL_PREFIX set, deploy/nginx/weike.conf.in) the
decision stays here and only the sending moves: the answer is an empty
response with `X-Accel-Redirect: <prefix><resolved name>`, and nginx serves
the file from its `internal` location (ranges, sendfile) with the same headers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.urls import re_path
from django.utils.http import http_date
from django.views.static import was_modified_since

from catalog.ids import ID_PATTERN
from media_pipeline.access import can_view_video
from media_pipeline.media_types import content_type_for
from media_pipeline.models import Video

PUBLIC_FOLDERS = frozenset({"images", "original_images"})
VIDEO_FOLDER = "renditions"
SERVED_FOLDERS = PUBLIC_FOLDERS | {VIDEO_FOLDER}
RENDITION = re.compile(rf"renditions/({ID_PATTERN})/.+", re.ASCII)
MAX_PATH = 1024  # far above any stored name; keeps the OS out of the question
MAX_SEGMENT = 255
MEDIA_CSP = "default-src 'none'; sandbox"


@dataclass(frozen=True)
class MediaFile:
    """A local media file that may be served, subject to the access rule."""

    relative: str  # resolved name under MEDIA_ROOT, "/"-separated
    absolute: Path
    folder: str  # first segment of `relative`: what the access rule looks at
    content_type: str
    video_id: int | None = None


def _is_plain_name(raw: str) -> bool:
    """Does `raw` look like a name our storage wrote? (checked before any I/O)

    Django has percent-decoded the URL once; whatever is left that a stored
    name never contains is refused rather than interpreted.
    """
    if not raw or len(raw) > MAX_PATH or raw.startswith("/"):
        return False
    if "%" in raw or "\\" in raw:
        return False
    # Fullwidth dots and slashes and other compatibility forms: a name that
    # changes under NFKC is not one we stored.
    if unicodedata.normalize("NFKC", raw) != raw:
        return False
    # Control, format (zero-width, bidi), surrogate and unassigned characters.
    if any(unicodedata.category(ch).startswith("C") for ch in raw):
        return False
    segments = raw.split("/")
    return all(
        seg and not seg.startswith(".") and len(seg) <= MAX_SEGMENT for seg in segments
    )


def _classify(relative: str, absolute: Path) -> MediaFile | None:
    folder = relative.split("/", 1)[0]
    if folder not in SERVED_FOLDERS:
        return None
    content_type = content_type_for(relative)
    if content_type is None:
        return None
    video_id = None
    if folder == VIDEO_FOLDER:
        match = RENDITION.fullmatch(relative)
        if match is None:
            return None
        video_id = int(match.group(1))
    return MediaFile(relative, absolute, folder, content_type, video_id)


def resolve_media_path(raw: str, root=None) -> MediaFile | None:
    """The servable file `raw` names under MEDIA_ROOT, or None (→ 404).

    Normalise first, then decide: the name is resolved with symlinks and must
    come out as itself, inside the root, in a served folder, with a served
    extension. A symlink (into a private folder, out of MEDIA_ROOT, or from a
    public folder into `renditions/`) is refused whatever it points at.
    """
    if not _is_plain_name(raw):
        return None
    base = Path(root if root is not None else settings.MEDIA_ROOT).resolve()
    try:
        target = (base / raw).resolve(strict=True)
        if not target.is_file():
            return None
        relative = target.relative_to(base).as_posix()
    except (OSError, RuntimeError, ValueError):  # missing, loop, outside base
        return None
    if relative != raw:
        return None
    return _classify(relative, target)


def _may_view(user, media: MediaFile) -> bool:
    if media.folder in PUBLIC_FOLDERS:
        return True
    if media.video_id is None:
        return False
    video = Video.objects.filter(pk=media.video_id).first()
    return video is not None and can_view_video(user, video)


def _secure(response, media: MediaFile):
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    if media.video_id is not None:
        # A draft's file may be served to its author: no shared cache keeps it.
        response["Cache-Control"] = "private"
    return response


def _accel_redirect(media: MediaFile, prefix: str) -> HttpResponse:
    """Hand the sending to nginx: only the resolved name goes in the header,
    percent-encoded (nginx decodes it once), never the text of the URL."""
    response = HttpResponse(content_type=media.content_type)
    response["X-Accel-Redirect"] = prefix + quote(media.relative, safe="/")
    return _secure(response, media)


def protected_media(request, path):
    media = resolve_media_path(path)
    if media is None or not _may_view(request.user, media):
        raise Http404
    if prefix := settings.MEDIA_ACCEL_REDIRECT_PREFIX:
        return _accel_redirect(media, prefix)
    stat = media.absolute.stat()
    if not was_modified_since(
        request.META.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime
    ):
        return _secure(HttpResponseNotModified(), media)
    response = FileResponse(media.absolute.open("rb"), content_type=media.content_type)
    response["Last-Modified"] = http_date(stat.st_mtime)
    return _secure(response, media)


def media_urlpatterns():
    prefix = settings.MEDIA_URL.lstrip("/")
    return [re_path(rf"^{re.escape(prefix)}(?P<path>.*)$", protected_media)]
