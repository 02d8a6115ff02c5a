"""Video status for the upload page, and HLS playlists with signed URLs.

Stored playlists name their segments relatively; with a private S3 bucket
those names are useless to a player, so playlists are served through Django
and every segment reference is replaced by a short-lived signed URL.
"""

import re

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET

from .access import can_view_video
from .models import RenditionStatus, Video
from .selectors import is_playable

PLAYLIST_NAME = re.compile(r"^(master|\d{3,4}p)\.m3u8$")
MAP_URI = re.compile(r'URI="([^"]+)"')


def rendition_url(name: str) -> str:
    """A URL for a stored file: signed and short-lived with private S3."""
    return default_storage.url(name)


@require_GET
def video_status(request, pk):
    video = get_object_or_404(Video, pk=pk)
    if not can_view_video(request.user, video):
        raise Http404
    data = {
        "id": video.pk,
        "status": video.status,
        "progress": video.progress,
        "reason": video.reason or None,
        # One sentence in the request's language (LocaleMiddleware).
        "message": video.reason_message,
        "retriable": video.retriable,
        "duration": video.duration,
        "width": video.width,
        "height": video.height,
        # Looks like an earlier video (re-encoded, trimmed): told to the
        # uploader without naming the other video, which may be someone else's.
        "near_duplicate": video.duplicate_of_id is not None,
        "renditions": [
            {
                "profile": r.profile,
                "status": r.status,
                "progress": r.progress,
                "url": rendition_url(r.file.name) if r.file else None,
            }
            for r in video.renditions.order_by("-height")
        ],
    }
    if is_playable(video):
        data["hls"] = reverse("media_pipeline:hls", args=[video.pk, "master.m3u8"])
        data["poster"] = (
            rendition_url(video.poster_jpeg.name) if video.poster_jpeg else None
        )
    return JsonResponse(data)


@require_GET
def hls_playlist(request, pk, name):
    if not PLAYLIST_NAME.match(name):
        raise Http404
    video = get_object_or_404(Video, pk=pk)
    if not is_playable(video) or not can_view_video(request.user, video):
        raise Http404
    if (
        name != "master.m3u8"
        and not video.renditions.filter(
            profile=name[:-5], status=RenditionStatus.READY
        ).exists()
    ):
        raise Http404
    base = f"renditions/{video.pk}/hls/"
    with default_storage.open(base + name, "rb") as fh:
        text = fh.read().decode("utf-8")
    out = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            if line.endswith(".m3u8"):
                line = reverse("media_pipeline:hls", args=[video.pk, line])
            else:
                line = rendition_url(base + line)
        elif line.startswith("#EXT-X-MAP:"):
            line = MAP_URI.sub(
                lambda m: f'URI="{rendition_url(base + m.group(1))}"', line
            )
        out.append(line)
    response = HttpResponse(
        "\n".join(out) + "\n", content_type="application/vnd.apple.mpegurl"
    )
    # The signed URLs inside expire: never cache the playlist for long.
    response["Cache-Control"] = "private, max-age=60"
    return response
