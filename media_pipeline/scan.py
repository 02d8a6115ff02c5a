"""A packet-level scan of the whole file: is every second the header promises there?

ffprobe's duration comes from the container's header. A recorder killed
mid-file, or an upload cut short, leaves an MKV/AVI/MPEG file whose header
still promises the full length: decoding only the last seconds reaches the
real end without an error, and the job used to publish half-length renditions
as ready. Reading every packet's timestamps (no decoding) costs about a second
of CPU for ten minutes of video (figure in docs/media-pipeline.md) and also
gives the keyframe times the ladder needs to decide whether the top rung may
be copied (transcode.keyframes_fit_grid).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from . import ffmpeg
from .rules import Reason, Rejected

# How much of the promised length may be missing before the file is truncated:
# containers round durations and audio may end a little before the picture.
MISSING_SECONDS = 1.0
MISSING_SHARE = 0.02


@dataclass
class Scan:
    end: float  # seconds from the file's start to the end of its last packet
    video_times: list[float] = field(default_factory=list)  # sorted pts
    video_keys: list[bool] = field(default_factory=list)  # key flag per pts
    stderr: str = ""

    @property
    def keyframes(self) -> list[float]:
        return [
            t for t, key in zip(self.video_times, self.video_keys, strict=True) if key
        ]

    def first_frame_at_or_after(self, t: float) -> int | None:
        """Index of the first frame shown at or after `t` (1 ms slack)."""
        i = bisect.bisect_left(self.video_times, t - 0.001)
        return i if i < len(self.video_times) else None


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def scan_packets(path, demuxer: str, streams: set[int], timeout: float) -> Scan:
    """Every packet of `streams` (absolute indexes; the first is the video)."""
    args = [
        ffmpeg.ffprobe_binary(),
        *("-hide_banner", "-v", "error", "-of", "compact=p=0"),
        *("-show_entries", "packet=stream_index,pts_time,duration_time,flags"),
        "-show_entries",
        "format=start_time",
        *ffmpeg.safe_input_args(path, demuxer),
    ]
    proc = ffmpeg.run_captured(args, timeout, "ffprobe")
    video = min(streams) if streams else None
    start, end = None, 0.0
    frames: list[tuple[float, bool]] = []
    for line in proc.stdout.splitlines():
        fields = dict(part.partition("=")[::2] for part in line.split("|"))
        if "start_time" in fields:
            start = _float(fields["start_time"])
            continue
        index = fields.get("stream_index", "")
        if not index.isdigit() or int(index) not in streams:
            continue
        pts = _float(fields.get("pts_time", ""))
        if pts is None:
            continue
        end = max(end, pts + (_float(fields.get("duration_time", "")) or 0.0))
        if int(index) == video:
            frames.append((pts, fields.get("flags", "").startswith("K")))
    frames.sort()
    origin = start if start is not None else (frames[0][0] if frames else 0.0)
    return Scan(
        end=max(0.0, end - origin),
        video_times=[t - origin for t, _key in frames],
        video_keys=[key for _t, key in frames],
        stderr=proc.stderr,
    )


def check_complete(scan: Scan, declared: float | None) -> float:
    """The true duration; Rejected(corrupt) when packets stop short of the
    header's promise or there is no picture at all."""
    if not scan.video_times:
        raise Rejected(Reason.CORRUPT, found=0.0)
    if declared and declared - scan.end > max(
        MISSING_SECONDS, MISSING_SHARE * declared
    ):
        raise Rejected(
            Reason.CORRUPT, found=round(scan.end, 1), declared=round(declared, 1)
        )
    return declared or scan.end
