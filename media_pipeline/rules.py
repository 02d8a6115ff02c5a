"""Recording rules (录制规范) and the stable reason codes of a rejection.

The codes are part of the API: clients and the admin show them, so never rename
one. Every code has a Chinese and an English message.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models


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


# (Chinese, English) templates; {placeholders} come from Rejection.params.
MESSAGES: dict[str, tuple[str, str]] = {
    Reason.EMPTY_FILE: ("文件是空的（0 字节）。", "The file is empty (0 bytes)."),
    Reason.UNSUPPORTED_CONTAINER: (
        "不支持的文件格式{detail}。"
        "请上传 MP4、MOV、MKV、WebM、AVI、FLV、WMV 或 MPEG 视频。",
        "Unsupported file format{detail}. Upload an MP4, MOV, MKV, WebM, AVI, FLV, "
        "WMV or MPEG video.",
    ),
    Reason.CORRUPT: (
        "文件已损坏或不完整，无法读取。",
        "The file is corrupt or incomplete and cannot be read.",
    ),
    Reason.NO_VIDEO: (
        "文件中没有视频画面（只有音频或为空）。",
        "The file has no video stream (audio only or empty).",
    ),
    Reason.NO_AUDIO: (
        "文件中没有声音：本联盟要求微课带有讲解音轨。",
        "The file has no audio stream: this alliance requires narrated lessons.",
    ),
    Reason.UNSUPPORTED_CODEC: (
        "不支持的视频编码：{codec}。",
        "Unsupported video codec: {codec}.",
    ),
    Reason.TOO_SHORT: (
        "视频太短：{duration} 秒，至少需要 {min} 秒。",
        "The video is too short: {duration} s; at least {min} s is required.",
    ),
    Reason.TOO_LONG: (
        "视频太长：{duration} 秒，最长允许 {max} 秒。",
        "The video is too long: {duration} s; at most {max} s is allowed.",
    ),
    Reason.RESOLUTION_TOO_LOW: (
        "分辨率太低：{width}×{height}，短边至少需要 {min} 像素。",
        "The resolution is too low: {width}×{height}; the short side must be at "
        "least {min} pixels.",
    ),
    Reason.RESOLUTION_TOO_HIGH: (
        "分辨率太高：{width}×{height}，"
        "长边最多 {max_long} 像素，短边最多 {max_short} 像素。",
        "The resolution is too high: {width}×{height}; the long side may be at most "
        "{max_long} pixels and the short side at most {max_short} pixels.",
    ),
    Reason.FRAME_RATE_TOO_HIGH: (
        "帧率太高：{width}×{height} 的视频每秒 {fps} 帧，这个分辨率最多每秒 {max} 帧。",
        "The frame rate is too high: {fps} frames per second at {width}×{height}; "
        "at most {max} are allowed at this resolution.",
    ),
    Reason.TOO_LARGE: (
        "文件太大：超过 {max} 字节的上限。",
        "The file is too large: the limit is {max} bytes.",
    ),
    Reason.PROBE_TIMEOUT: (
        "检查文件超时，文件可能已损坏。",
        "Checking the file timed out; it may be corrupt.",
    ),
    Reason.TRANSCODE_FAILED: (
        "转码失败，原始文件已保留，可以重试。",
        "Transcoding failed; the original is kept and the job can be retried.",
    ),
    Reason.TRANSCODE_TIMEOUT: (
        "转码超时，原始文件已保留，可以重试。",
        "Transcoding timed out; the original is kept and the job can be retried.",
    ),
    Reason.STORAGE_ERROR: (
        "存储服务暂时不可用，原始文件已保留，可以重试。",
        "The storage service is unavailable; the original is kept and the job can "
        "be retried.",
    ),
    Reason.TOO_MANY_UPLOADS: (
        "进行中的上传太多：每人最多同时 {open} 个、合计 {size}，"
        "请先完成或取消已有的上传。",
        "Too many uploads in progress: at most {open} at a time and {size} in total "
        "per person; finish or cancel one first.",
    ),
}


class _Unknown(dict):
    """Format parameters where a missing one reads "?", never "{width}"."""

    def __missing__(self, key):
        return "?"


def message(code: str, lang: str = "zh", **params) -> str:
    zh, en = MESSAGES.get(code, (code, code))
    template = zh if lang.startswith("zh") else en
    params.setdefault("detail", "")
    try:
        return template.format_map(_Unknown(params))
    except (IndexError, ValueError):
        return template


def bilingual(code: str, **params) -> str:
    return f"{message(code, 'zh', **params)} / {message(code, 'en', **params)}"


@dataclass(frozen=True)
class Rejection:
    code: str
    params: dict

    @property
    def message_zh(self) -> str:
        return message(self.code, "zh", **self.params)

    @property
    def message_en(self) -> str:
        return message(self.code, "en", **self.params)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


class Rejected(Exception):
    def __init__(self, code: str, **params):
        self.rejection = Rejection(code, params)
        super().__init__(bilingual(code, **params))

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
