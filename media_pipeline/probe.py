"""Probe a local file by its content and check it against the recording rules.

Order matters for safety: the first bytes are sniffed in Python and mapped to
one allowed demuxer *before* any ffmpeg code sees the file, so a playlist, a
concat list or anything else that names other files or URLs is refused without
being parsed. ffprobe then runs with that demuxer forced, a file-only protocol
whitelist and a time limit.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

from django.conf import settings

from . import ffmpeg
from .rules import Reason, Rejected, rules

SNIFF_BYTES = 4096
MP4_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot", b"uuid"}


def sniff_demuxer(head: bytes) -> str | None:
    """The allowed demuxer these first bytes belong to, or None."""
    if len(head) >= 12 and head[4:8] in MP4_BOXES:
        return "mov"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"
    if head.startswith(b"RIFF") and head[8:12] in (b"AVI ", b"AVIX"):
        return "avi"
    if head.startswith(b"FLV\x01"):
        return "flv"
    if head.startswith(bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")):
        return "asf"
    if head.startswith(b"\x00\x00\x01\xba"):
        return "mpeg"
    if len(head) >= 377 and head[0] == head[188] == head[376] == 0x47:
        return "mpegts"
    # M2TS (Blu-ray / AVCHD cameras): 4-byte timestamp before each 188-byte packet.
    if len(head) >= 389 and head[4] == head[196] == head[388] == 0x47:
        return "mpegts"
    return None


@dataclass
class ProbeResult:
    demuxer: str
    format_name: str = ""
    duration: float | None = None
    bit_rate: int | None = None
    width: int | None = None  # as displayed, after rotation
    height: int | None = None
    # The picture the decoder allocates (before cropping), rotated like width.
    coded_width: int | None = None
    coded_height: int | None = None
    rotation: int = 0
    video_codec: str = ""
    pix_fmt: str = ""
    profile: str = ""
    level: int | None = None
    frame_rate: float | None = None
    video_bit_rate: int | None = None
    audio_codec: str = ""
    audio_channels: int | None = None
    raw: dict = field(default_factory=dict)

    @property
    def has_video(self) -> bool:
        return bool(self.video_codec)

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_codec)

    @property
    def short_side(self) -> int:
        return min(self.width or 0, self.height or 0)

    @property
    def decoded_size(self) -> tuple[int, int]:
        """The larger of displayed and coded size: what decoding costs.

        H.264 cropping can show 640×480 of an 8000×8000 coded picture.
        """
        return (
            max(self.width or 0, self.coded_width or 0),
            max(self.height or 0, self.coded_height or 0),
        )

    def facts(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "raw"}
        data["has_video"] = self.has_video
        data["has_audio"] = self.has_audio
        return data


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value) -> int | None:
    f = _float(value)
    return int(f) if f is not None else None


def _rate(text) -> float | None:
    """A positive, finite rate from ffprobe's "num/den" text, else None."""
    num, _, den = str(text or "").partition("/")
    num, den = _float(num), _float(den or 1)
    if num is None or not den:
        return None
    rate = num / den
    return rate if math.isfinite(rate) and rate > 0 else None


def _frame_rate(stream: dict) -> float | None:
    """Frames per second as decoded.

    avg_frame_rate (frames / duration) is the real rate, also of
    variable-frame-rate files. r_frame_rate is only a fallback: for a VFR file
    ffprobe sets it to the time base (1000/1 with a 1/1000 time base), which is
    no frame rate at all.
    """
    average = _rate(stream.get("avg_frame_rate"))
    if average:
        return average
    base = _rate(stream.get("r_frame_rate"))
    ticks = _rate(stream.get("time_base"))
    if base and not (ticks and math.isclose(base * ticks, 1)):
        return base
    return None


def _rotation(stream: dict) -> int:
    rotate = _int((stream.get("tags") or {}).get("rotate"))
    if rotate is None:
        for side in stream.get("side_data_list") or []:
            if "rotation" in side:
                rotate = _int(side["rotation"])
    return (rotate or 0) % 360


def parse(data: dict, demuxer: str) -> ProbeResult:
    fmt = data.get("format") or {}
    result = ProbeResult(
        demuxer=demuxer,
        format_name=fmt.get("format_name", ""),
        duration=_float(fmt.get("duration")),
        bit_rate=_int(fmt.get("bit_rate")),
        raw=data,
    )
    streams = data.get("streams") or []
    video = [
        s
        for s in streams
        if s.get("codec_type") == "video"
        and not (s.get("disposition") or {}).get("attached_pic")
    ]
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    if video:
        v = video[0]
        result.video_codec = v.get("codec_name") or "unknown"
        result.pix_fmt = v.get("pix_fmt", "")
        result.profile = v.get("profile", "")
        result.level = _int(v.get("level"))
        result.video_bit_rate = _int(v.get("bit_rate"))
        result.rotation = _rotation(v)
        w, h = _int(v.get("width")), _int(v.get("height"))
        cw, ch = _int(v.get("coded_width")), _int(v.get("coded_height"))
        if result.rotation in (90, 270):
            w, h, cw, ch = h, w, ch, cw
        result.width, result.height = w, h
        result.coded_width, result.coded_height = cw, ch
        result.frame_rate = _frame_rate(v)
        if result.duration is None:
            result.duration = _float(v.get("duration"))
    if audio:
        result.audio_codec = audio[0].get("codec_name") or "unknown"
        result.audio_channels = _int(audio[0].get("channels"))
    return result


def read_head(path, size: int = SNIFF_BYTES) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(size)


def probe(path, timeout: float | None = None) -> ProbeResult:
    """Sniff and ffprobe a local file. Raises Rejected for unreadable input."""
    if os.path.getsize(path) == 0:
        raise Rejected(Reason.EMPTY_FILE)
    demuxer = sniff_demuxer(read_head(path))
    if demuxer is None or demuxer not in ffmpeg.allowed_demuxers():
        raise Rejected(Reason.UNSUPPORTED_CONTAINER)
    timeout = timeout or getattr(settings, "MEDIA_PROBE_TIMEOUT", 30)
    try:
        data = ffmpeg.ffprobe_json(path, demuxer=demuxer, timeout=timeout)
    except ffmpeg.FFmpegError as exc:
        if exc.timed_out:
            raise Rejected(Reason.PROBE_TIMEOUT) from exc
        raise Rejected(Reason.CORRUPT) from exc
    return parse(data, demuxer)


def validate(result: ProbeResult, partial: bool = False) -> None:
    """Raise Rejected for the first rule the file breaks.

    With partial=True (only the head of an upload has arrived) only the facts
    a head reliably tells are checked; duration minimums and decode errors wait
    for the whole file.
    """
    r = rules()
    containers = set(r["CONTAINERS"])
    if result.format_name and result.format_name not in containers:
        raise Rejected(Reason.UNSUPPORTED_CONTAINER, format=result.format_name)
    if r["REQUIRE_VIDEO"] and not result.has_video:
        if partial and not result.raw.get("streams"):
            return  # nothing decodable yet: wait for more bytes
        raise Rejected(Reason.NO_VIDEO)
    if result.has_video and result.video_codec not in set(r["VIDEO_CODECS"]):
        raise Rejected(Reason.UNSUPPORTED_CODEC, codec=result.video_codec)
    if r["REQUIRE_AUDIO"] and not result.has_audio and not partial:
        raise Rejected(Reason.NO_AUDIO)
    if result.has_video and result.width and result.height:
        # Before any other check that might decode: refuse what costs too much.
        check_upper_bounds(result, r)
        if result.short_side < r["MIN_LINES"]:
            raise Rejected(
                Reason.RESOLUTION_TOO_LOW,
                width=result.width,
                height=result.height,
                min=r["MIN_LINES"],
            )
    elif result.has_video and not partial:
        raise Rejected(Reason.CORRUPT)
    duration = result.duration
    if duration is None or duration <= 0:
        if partial:
            return
        raise Rejected(Reason.CORRUPT)
    if duration > r["MAX_DURATION"]:
        raise Rejected(
            Reason.TOO_LONG, duration=round(duration, 1), max=int(r["MAX_DURATION"])
        )
    if not partial and duration < r["MIN_DURATION"]:
        raise Rejected(
            Reason.TOO_SHORT, duration=round(duration, 1), min=int(r["MIN_DURATION"])
        )


def check_upper_bounds(result: ProbeResult, r: dict) -> None:
    """Refuse pictures too large and frame rates too high to decode safely.

    Long and short sides are compared (not width and height), so an upright
    phone video passes like a landscape one. The pixel rate bounds the frame
    rate at high resolutions: 120 fps is fine at 1080p, not at 4K.
    """
    width, height = result.decoded_size
    if (
        max(width, height) > r["MAX_LONG_SIDE"]
        or min(width, height) > r["MAX_SHORT_SIDE"]
    ):
        raise Rejected(
            Reason.RESOLUTION_TOO_HIGH,
            width=width,
            height=height,
            max_long=r["MAX_LONG_SIDE"],
            max_short=r["MAX_SHORT_SIDE"],
        )
    fps = result.frame_rate
    if not fps:
        return  # unknown yet (a head without timing); the full probe decides
    allowed = min(float(r["MAX_FPS"]), r["MAX_PIXEL_RATE"] / (width * height))
    if fps > allowed + 0.01:  # 59.94 and 60 are both "60"
        raise Rejected(
            Reason.FRAME_RATE_TOO_HIGH,
            width=width,
            height=height,
            fps=f"{fps:.2f}".rstrip("0").rstrip("."),
            max=math.floor(allowed + 0.01),
        )


def check_decodable(path, demuxer: str, seconds: float = 2.0, timeout=60) -> None:
    """Decode the first and the last seconds: catches truncated files early."""
    # A truncated MP4 has no index at all and fails in probe(); other containers
    # probe fine and only fail when the missing tail is decoded.
    cmd = ffmpeg.FFmpegCommand(
        global_options=["-hide_banner", "-nostdin", "-v", "error"]
    )
    cmd.add_input(path, demuxer, options=["-sseof", f"-{seconds}"])
    cmd.add_output("-", "-map", "0:v:0", "-f", "null")
    args = cmd.build()
    args.insert(1, "-xerror")
    try:
        ffmpeg.run(args, timeout=timeout)
    except ffmpeg.FFmpegError as exc:
        raise Rejected(Reason.CORRUPT) from exc
