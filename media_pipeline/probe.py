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

from . import ffmpeg, scan
from .rules import Reason, Rejected, rules

SNIFF_BYTES = 4096
# Containers that never hold a picture: sniffed so they get `no_video`.
AUDIO_ONLY_DEMUXERS = {"mp3", "wav", "aac"}
INTERLACED_ORDERS = {"tt", "bb", "tb", "bt"}
CHINESE = {"chi", "zho", "zh", "cmn", "yue"}
# Subtitle codecs that are text (bitmap DVD/Blu-ray subtitles cannot be WebVTT).
TEXT_SUBTITLES = {"subrip", "srt", "ass", "ssa", "mov_text", "webvtt", "text"}
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
    # Raw DV from a camcorder: a DIF header block (PAL 0xbf or NTSC 0x3f).
    if len(head) >= 4 and head[:3] == b"\x1f\x07\x00" and head[3] & 0x7F == 0x3F:
        return "dv"
    return _sniff_audio(head)


def _sniff_audio(head: bytes) -> str | None:
    """Sound-only files, recognised so they are refused as `no_video`."""
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"ID3"):
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        # Frame sync: layer bits 00 are AAC in ADTS, anything else MPEG audio.
        return "aac" if head[1] & 0x06 == 0 else "mp3"
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
    audio_profile: str = ""
    # Absolute stream indexes of the picture and of the chosen narration.
    video_index: int | None = None
    audio_index: int | None = None
    # Stored picture vs shown picture: "64:45" makes 720×576 a 16:9 frame.
    sample_aspect: str = ""
    field_order: str = ""  # "tt"/"bb"/"tb"/"bt" when interlaced
    # The highest rate frames come at (r_frame_rate): above the average of a
    # variable-frame-rate screen recording.
    peak_frame_rate: float | None = None
    audio_tracks: list[dict] = field(default_factory=list)
    subtitle_tracks: list[dict] = field(default_factory=list)
    raw: dict = field(default_factory=dict)

    @property
    def has_video(self) -> bool:
        return bool(self.video_codec)

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_codec)

    @property
    def interlaced(self) -> bool:
        return self.field_order in INTERLACED_ORDERS

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


def _sample_aspect(stream: dict) -> tuple[int, int]:
    num, _, den = str(stream.get("sample_aspect_ratio") or "").partition(":")
    if num.isdigit() and den.isdigit() and int(num) and int(den):
        return int(num), int(den)
    return 1, 1


def _language(stream: dict) -> str:
    return str((stream.get("tags") or {}).get("language") or "").lower()


def _track(stream: dict) -> dict:
    tags = stream.get("tags") or {}
    return {
        "index": _int(stream.get("index")),
        "codec": stream.get("codec_name") or "",
        "language": _language(stream),
        "title": str(tags.get("title") or "")[:200],
        "default": bool((stream.get("disposition") or {}).get("default")),
        "channels": _int(stream.get("channels")),
    }


def choose_audio(audio: list[dict]) -> dict | None:
    """The narration: the track marked default, a Chinese one among several
    defaults or when none is marked, else the first."""
    if not audio:
        return None
    defaults = [s for s in audio if (s.get("disposition") or {}).get("default")]
    pool = defaults or audio
    chinese = [s for s in pool if _language(s) in CHINESE]
    return (chinese or pool)[0]


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
        _parse_video(result, video[0])
    chosen = choose_audio(audio)
    if chosen:
        result.audio_index = _int(chosen.get("index"))
        result.audio_codec = chosen.get("codec_name") or "unknown"
        result.audio_channels = _int(chosen.get("channels"))
        result.audio_profile = chosen.get("profile") or ""
    result.audio_tracks = [{**_track(s), "chosen": s is chosen} for s in audio]
    result.subtitle_tracks = [
        {**_track(s), "text": s.get("codec_name") in TEXT_SUBTITLES}
        for s in streams
        if s.get("codec_type") == "subtitle"
    ]
    return result


def _parse_video(result: ProbeResult, v: dict) -> None:
    result.video_index = _int(v.get("index"))
    result.video_codec = v.get("codec_name") or "unknown"
    result.pix_fmt = v.get("pix_fmt", "")
    result.profile = v.get("profile", "")
    result.level = _int(v.get("level"))
    result.video_bit_rate = _int(v.get("bit_rate"))
    result.rotation = _rotation(v)
    result.field_order = v.get("field_order") or ""
    w, h = _int(v.get("width")), _int(v.get("height"))
    cw, ch = _int(v.get("coded_width")), _int(v.get("coded_height"))
    num, den = _sample_aspect(v)
    if w and (num, den) != (1, 1):
        # Shown width = stored width × SAR (the height is kept, as players do).
        result.sample_aspect = f"{num}:{den}"
        w = max(2, round(w * num / den))
    if result.rotation in (90, 270):
        w, h, cw, ch = h, w, ch, cw
    result.width, result.height = w, h
    result.coded_width, result.coded_height = cw, ch
    result.frame_rate = _frame_rate(v)
    nominal = _rate(v.get("r_frame_rate"))
    ticks = _rate(v.get("time_base"))
    if nominal and ticks and math.isclose(nominal * ticks, 1):
        nominal = None  # the time base, not a rate
    result.peak_frame_rate = max(nominal or 0, result.frame_rate or 0) or None
    if result.duration is None:
        result.duration = _float(v.get("duration"))


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
    if result.demuxer in AUDIO_ONLY_DEMUXERS:
        raise Rejected(Reason.NO_VIDEO)
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


def read_packets(path, result: ProbeResult, timeout=None) -> scan.Scan:
    """Every packet of the picture and the chosen sound, read without decoding.

    A header promising more than the packets hold is a truncated file
    (Rejected); a file without a stated length gets the one its packets show.
    """
    timeout = timeout or max(60, (result.duration or 0) / 10)
    streams = {i for i in (result.video_index, result.audio_index) if i is not None}
    try:
        found = scan.scan_packets(path, result.demuxer, streams, timeout)
    except ffmpeg.FFmpegError as exc:
        raise Rejected(Reason.CORRUPT) from exc
    result.duration = scan.check_complete(found, result.duration)
    return found


def check_decodable(
    path, result: ProbeResult, packets: scan.Scan | None = None, seconds=2.0
) -> scan.Scan:
    """Prove the whole file is there (read_packets), then decode its last
    seconds: a damaged end that demuxes but does not decode is refused too."""
    packets = packets or read_packets(path, result)
    cmd = ffmpeg.FFmpegCommand(
        global_options=["-hide_banner", "-nostdin", "-v", "error"]
    )
    cmd.add_input(path, result.demuxer, options=["-sseof", f"-{seconds}"])
    cmd.add_output("-", "-map", f"0:{result.video_index}", "-f", "null")
    args = cmd.build()
    args.insert(1, "-xerror")
    try:
        ffmpeg.run(args, timeout=max(60, (result.duration or 0) / 10))
    except ffmpeg.FFmpegError as exc:
        raise Rejected(Reason.CORRUPT) from exc
    return packets
