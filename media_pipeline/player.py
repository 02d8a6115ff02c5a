"""What a page shows of a lesson's video: the player's data, read defensively.

Every field is looked up with getattr so a lesson without a video, or a video
whose derivatives are not made yet, renders a clear state instead of an error.
The site's lesson page (portal) and the alliance's review page both render
this data through templates/includes/player.html, so it lives here, below both.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PlayerState:
    NONE = "none"
    PROCESSING = "processing"
    REJECTED = "rejected"
    FAILED = "failed"
    READY = "ready"


@dataclass
class VideoInfo:
    state: str
    status: str = ""
    progress: float = 0
    reason: str = ""
    hls_url: str = ""
    mp4_url: str = ""
    mp4_sources: list = field(default_factory=list)
    poster_url: str = ""
    thumbnail_url: str = ""
    storyboard_url: str = ""
    storyboard_interval: int = 0
    storyboard_columns: int = 0
    storyboard_rows: int = 0
    captions: list = field(default_factory=list)
    # A <track> from another origin (S3) loads only with CORS: the <video>
    # then carries crossorigin="anonymous" and the bucket must answer CORS.
    crossorigin: bool = False
    duration: float | None = None
    width: int | None = None
    height: int | None = None

    @property
    def state_label(self):
        return {
            PlayerState.NONE: _("No video"),
            PlayerState.PROCESSING: _("Transcoding"),
            PlayerState.REJECTED: _("Rejected"),
            PlayerState.FAILED: _("Processing failed"),
            PlayerState.READY: _("Ready"),
        }[self.state]


def _url(file_field) -> str:
    if not file_field:
        return ""
    try:
        return file_field.url
    except ValueError:  # no file associated
        return ""


def _is_absolute(url: str) -> bool:
    # Site-relative URLs (/media/…, the media gate) are same-origin; a URL with
    # a host is the storage's (S3 endpoint or CDN), another origin.
    return bool(urlsplit(url).netloc)


def _storyboard_grid(video):
    from .selectors import storyboard_grid

    return storyboard_grid(video)


def _captions(video) -> list:
    from .selectors import caption_tracks

    return [
        {"label": label, "language": language, "url": url}
        for label, language, url in caption_tracks(video)
    ]


def _playable(video) -> bool:
    if getattr(video, "status", "") == "ready":
        return True
    from .selectors import is_playable

    return is_playable(video)


def video_of(page):
    """The video of a lesson page (or of a CatalogEntryPage with lessonpage)."""
    if hasattr(page, "video_id"):
        return page.video if page.video_id else None
    lesson = getattr(page, "lessonpage", None)
    if lesson is not None and lesson.video_id:
        return lesson.video
    return None


def video_info(video, renditions=None) -> VideoInfo:
    """Player data for a video; `renditions` may be passed prefetched."""
    if video is None:
        return VideoInfo(state=PlayerState.NONE)
    status = getattr(video, "status", "") or ""
    info = VideoInfo(
        state=PlayerState.PROCESSING,
        status=status,
        progress=float(getattr(video, "progress", 0) or 0),
        duration=getattr(video, "duration", None),
        width=getattr(video, "width", None),
        height=getattr(video, "height", None),
        poster_url=_url(getattr(video, "poster_webp", None))
        or _url(getattr(video, "poster_jpeg", None)),
        thumbnail_url=_url(getattr(video, "thumbnail_webp", None))
        or _url(getattr(video, "thumbnail_jpeg", None)),
    )
    if status == "rejected":
        info.state = PlayerState.REJECTED
        info.reason = _reason(video)
        return info
    if status == "failed":
        info.state = PlayerState.FAILED
        info.reason = _reason(video)
        return info
    if not _playable(video):
        # Only renditions are ever played; the uploaded original is never
        # handed out as a URL, whatever state the video is in. A video whose
        # first rung is published plays while the others are encoded.
        return info
    info.state = PlayerState.READY
    # Served through the playlist view: it checks access and signs segment URLs.
    if _url(getattr(video, "hls_master", None)):
        info.hls_url = reverse("media_pipeline:hls", args=[video.pk, "master.m3u8"])
    if renditions is None and hasattr(video, "renditions"):
        renditions = list(video.renditions.all())
    sources = []
    for r in sorted(renditions or [], key=lambda r: -(r.height or 0)):
        if getattr(r, "status", "ready") == "ready" and _url(r.file):
            sources.append(
                {"url": _url(r.file), "height": r.height, "label": r.profile}
            )
    info.mp4_sources = sources
    # The fallback plays the smallest rendition: it starts fastest anywhere.
    info.mp4_url = sources[-1]["url"] if sources else ""
    info.captions = _captions(video)
    info.crossorigin = any(_is_absolute(t["url"]) for t in info.captions)
    board = _url(getattr(video, "storyboard", None))
    cols, rows = _storyboard_grid(video)
    if board and cols and rows and getattr(video, "storyboard_interval", None):
        info.storyboard_url = board
        info.storyboard_interval = video.storyboard_interval
        info.storyboard_columns, info.storyboard_rows = cols, rows
    return info


def _reason(video) -> str:
    # One sentence in the reader's language; reason_detail is the technical
    # log for administrators, never shown on the site.
    return getattr(video, "reason_message", "") or str(
        getattr(video, "reason", "") or ""
    )
