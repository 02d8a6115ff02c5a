"""Recording rules (录制规范) and the stable reason codes of a rejection.

The codes are part of the API: clients and the admin show them, so never rename
one. Every code has one message, translated with gettext.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    EMPTY_FILE = "empty_file", "empty file"
    UNSUPPORTED_CONTAINER = "unsupported_container", "unsupported container"
    CORRUPT = "corrupt", "corrupt"
    NO_VIDEO = "no_video", "no video stream"
    NO_AUDIO = "no_audio", "no audio stream"
    UNSUPPORTED_CODEC = "unsupported_codec", "unsupported codec"
    TOO_SHORT = "too_short", "too short"
    TOO_LONG = "too_long", "too long"
    RESOLUTION_TOO_LOW = "resolution_too_low", "resolution too low"
    RESOLUTION_TOO_HIGH = "resolution_too_high", "resolution too high"
    FRAME_RATE_TOO_HIGH = "frame_rate_too_high", "frame rate too high"
    TOO_LARGE = "too_large", "file too large"
    PROBE_TIMEOUT = "probe_timeout", "probe timed out"
    # Failures (not rejections): the original is kept and the job can be retried.
    TRANSCODE_FAILED = "transcode_failed", "transcoding failed"
    TRANSCODE_TIMEOUT = "transcode_timeout", "transcoding timed out"
    STORAGE_ERROR = "storage_error", "storage error"
    # Refused before any byte is received: the per-user upload limits.
    TOO_MANY_UPLOADS = "too_many_uploads", "too many uploads in progress"


# One English sentence per code (the msgid; the Chinese is in
# media_pipeline/locale/zh_Hans/LC_MESSAGES/django.po). Placeholders are named
# and filled from Rejection.params *after* translation.
MESSAGES = {
    Reason.EMPTY_FILE: _("The file is empty (0 bytes)."),
    Reason.UNSUPPORTED_CONTAINER: _(
        "Unsupported file format. Upload an MP4, MOV, MKV, WebM, AVI, FLV, WMV or "
        "MPEG video."
    ),
    Reason.CORRUPT: _("The file is corrupt or incomplete and cannot be read."),
    Reason.NO_VIDEO: _("The file has no video stream (audio only or empty)."),
    Reason.NO_AUDIO: _(
        "The file has no audio stream: this alliance requires narrated lessons."
    ),
    Reason.UNSUPPORTED_CODEC: _("Unsupported video codec: %(codec)s."),
    Reason.TOO_SHORT: _(
        "The video is too short: %(duration)s s; at least %(min)s s is required."
    ),
    Reason.TOO_LONG: _(
        "The video is too long: %(duration)s s; at most %(max)s s is allowed."
    ),
    Reason.RESOLUTION_TOO_LOW: _(
        "The resolution is too low: %(width)s×%(height)s; the short side must be "
        "at least %(min)s pixels."
    ),
    Reason.RESOLUTION_TOO_HIGH: _(
        "The resolution is too high: %(width)s×%(height)s; the long side may be "
        "at most %(max_long)s pixels and the short side at most %(max_short)s "
        "pixels."
    ),
    Reason.FRAME_RATE_TOO_HIGH: _(
        "The frame rate is too high: %(fps)s frames per second at "
        "%(width)s×%(height)s; at most %(max)s are allowed at this resolution."
    ),
    Reason.TOO_LARGE: _("The file is too large: the limit is %(max)s bytes."),
    Reason.PROBE_TIMEOUT: _("Checking the file timed out; it may be corrupt."),
    Reason.TRANSCODE_FAILED: _(
        "Transcoding failed; the original is kept and the job can be retried."
    ),
    Reason.TRANSCODE_TIMEOUT: _(
        "Transcoding timed out; the original is kept and the job can be retried."
    ),
    Reason.STORAGE_ERROR: _(
        "The storage service is unavailable; the original is kept and the job "
        "can be retried."
    ),
    Reason.TOO_MANY_UPLOADS: _(
        "Too many uploads in progress: at most %(open)s at a time and %(size)s in "
        "total per person; finish or cancel one first."
    ),
}

# Codes whose sentence names what was found when the probe knows it.
NAMED = {
    Reason.UNSUPPORTED_CONTAINER: (
        "format",
        _(
            "Unsupported file format (%(format)s). Upload an MP4, MOV, MKV, WebM, "
            "AVI, FLV, WMV or MPEG video."
        ),
    ),
}


class _Unknown(dict):
    """Format parameters where a missing one reads "?", never a placeholder."""

    def __missing__(self, key):
        return "?"


def message(code: str, **params) -> str:
    """The sentence for `code` in the active language, parameters filled in."""
    key, named = NAMED.get(code, (None, None))
    template = named if key and params.get(key) else MESSAGES.get(code)
    if template is None:
        return str(code)
    try:
        return str(template) % _Unknown(params)
    except (TypeError, ValueError, KeyError):
        return str(template)


@dataclass(frozen=True)
class Rejection:
    code: str
    params: dict

    @property
    def message(self) -> str:
        return message(self.code, **self.params)

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


class Rejected(Exception):
    def __init__(self, code: str, **params):
        self.rejection = Rejection(code, params)
        super().__init__(code)

    def __str__(self) -> str:
        # Translated when shown, in the language active then.
        return self.rejection.message

    @property
    def code(self) -> str:
        return self.rejection.code


# Defaults of the rules; override any key in settings.MEDIA_VALIDATION.
DEFAULT_RULES = {
    "MIN_DURATION": 30.0,
    "MAX_DURATION": 30 * 60.0,
    "MIN_LINES": 480,
    # Upper bounds: decoding cost grows with pixels per second, and a tiny
    # file can declare a huge picture. Sides compare long/short, so portrait
    # phone videos pass like landscape ones; 4K (4096×2160) at 60 fps is the
    # most a classroom recording needs.
    "MAX_LONG_SIDE": 4096,
    "MAX_SHORT_SIDE": 2160,
    "MAX_FPS": 120.0,
    "MAX_PIXEL_RATE": 4096 * 2160 * 60,
    "REQUIRE_VIDEO": True,
    "REQUIRE_AUDIO": False,
    # ffprobe codec names a teacher's file may carry; anything else is refused.
    "VIDEO_CODECS": [
        "h264",
        "hevc",
        "mpeg4",
        "mpeg2video",
        "mpeg1video",
        "vp8",
        "vp9",
        "av1",
        "wmv1",
        "wmv2",
        "wmv3",
        "vc1",
        "flv1",
        "h263",
        "msmpeg4v2",
        "msmpeg4v3",
        "mjpeg",
        "prores",
        "tscc2",
        "theora",
        "dvvideo",
    ],
    # ffprobe format_name values accepted after probing (by content).
    "CONTAINERS": [
        "mov,mp4,m4a,3gp,3g2,mj2",
        "matroska,webm",
        "avi",
        "flv",
        "asf",
        "mpegts",
        "mpeg",
        "dv",
    ],
}


def rules() -> dict:
    return {**DEFAULT_RULES, **getattr(settings, "MEDIA_VALIDATION", {})}
