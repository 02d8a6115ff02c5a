"""The ladder and the single ffmpeg run that produces every output.

One process decodes the source once; a `split` filter feeds one scaler per rung
plus a poster picker and a storyboard tiler. Each rung is encoded once and
written through the `tee` muxer to a faststart MP4 *and* an HLS fMP4 variant,
so MP4 and HLS share the same bits. We write the master playlist ourselves from
the ladder (ffmpeg's var_stream_map cannot be combined with tee).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from . import ffmpeg
from .probe import ProbeResult


@dataclass(frozen=True)
class Profile:
    name: str
    lines: int  # short side of the output
    maxrate_k: int
    audio_k: int

    @property
    def bufsize_k(self) -> int:
        return self.maxrate_k * 2


LADDER = (
    Profile("1080p", 1080, 5000, 128),
    Profile("720p", 720, 2800, 128),
    Profile("480p", 480, 1400, 96),
    Profile("360p", 360, 800, 64),
)
PROFILES = {p.name: p for p in LADDER}

STORYBOARD_COLUMNS = 10
STORYBOARD_ROWS = 10
STORYBOARD_TILE_WIDTH = 160
POSTER_POSITION = 0.3  # share of the duration: past title cards, before credits

COPYABLE_H264_PROFILES = {"Constrained Baseline", "Baseline", "Main", "High"}


def _even(value: float) -> int:
    return max(2, int(round(value / 2.0)) * 2)


@dataclass
class Rung:
    profile: Profile
    width: int
    height: int
    copy: bool = False

    @property
    def name(self) -> str:
        return self.profile.name


@dataclass
class Plan:
    rungs: list[Rung]
    gop: int
    poster_time: float
    storyboard_interval: int
    tile_width: int
    tile_height: int
    copy_audio: bool = False
    extra: dict = field(default_factory=dict)


def output_size(src: ProbeResult, lines: int) -> tuple[int, int]:
    w, h = src.width or 0, src.height or 0
    if w >= h:  # landscape: `lines` is the height
        return _even(w * lines / h), lines
    return lines, _even(h * lines / w)


def can_copy(src: ProbeResult, profile: Profile) -> bool:
    """Is the source already what the top rung would be (H.264/AAC, sane)?"""
    bitrate = src.video_bit_rate or src.bit_rate or 0
    return (
        src.video_codec == "h264"
        and src.pix_fmt in ("yuv420p", "yuvj420p")
        and src.profile in COPYABLE_H264_PROFILES
        and src.rotation == 0
        and src.short_side == profile.lines
        and (src.frame_rate or 0) <= 60
        and 0 < bitrate <= profile.maxrate_k * 1000 * 1.1
        and src.audio_codec in ("", "aac")
        and src.demuxer in ("mov", "matroska", "flv", "mpegts")
        and getattr(settings, "MEDIA_COPY_COMPLIANT_TOP", True)
    )


def plan(src: ProbeResult, profiles: list[str] | None = None) -> Plan:
    ladder = [p for p in LADDER if profiles is None or p.name in profiles]
    # Never upscale: only rungs at or below the source's short side.
    fitting = [p for p in ladder if p.lines <= src.short_side] or [ladder[-1]]
    rungs = [Rung(p, *output_size(src, p.lines)) for p in fitting]
    if rungs and can_copy(src, rungs[0].profile):
        rungs[0].copy = True
        rungs[0].width, rungs[0].height = src.width, src.height
    fps = src.frame_rate or 25
    duration = src.duration or 1
    interval = max(2, math.ceil(duration / (STORYBOARD_COLUMNS * STORYBOARD_ROWS)))
    tile_w = STORYBOARD_TILE_WIDTH
    tile_h = _even(tile_w * (src.height or 9) / (src.width or 16))
    return Plan(
        rungs=rungs,
        gop=max(1, round(getattr(settings, "MEDIA_GOP_SECONDS", 2) * fps)),
        poster_time=round(duration * POSTER_POSITION, 3),
        storyboard_interval=interval,
        tile_width=tile_w,
        tile_height=tile_h,
        copy_audio=bool(rungs and rungs[0].copy and src.audio_codec == "aac"),
    )


def _tee_target(rung: Rung) -> str:
    name = rung.name
    hls = ":".join(
        [
            "f=hls",
            "hls_time=4",
            "hls_playlist_type=vod",
            "hls_segment_type=fmp4",
            f"hls_fmp4_init_filename={name}_init.mp4",
            f"hls_segment_filename=hls/{name}_%05d.m4s",
        ]
    )
    return f"[f=mp4:movflags=+faststart]{name}.mp4|[{hls}]hls/{name}.m3u8"


def build_command(
    src_path, src: ProbeResult, p: Plan, extras: bool = True
) -> list[str]:
    """The ffmpeg arguments for the whole job; outputs are relative to cwd.

    extras=False leaves out the poster and storyboard branches (benchmarks
    use it to build one-rendition-per-process baselines).
    """
    preset = getattr(settings, "MEDIA_X264_PRESET", "veryfast")
    crf = str(getattr(settings, "MEDIA_X264_CRF", 23))
    cmd = ffmpeg.FFmpegCommand()
    cmd.global_options += ["-progress", "pipe:1", "-nostats"]
    cmd.add_input(src_path, src.demuxer)

    encoded = [r for r in p.rungs if not r.copy]
    branches = len(encoded) + (2 if extras else 0)  # + poster + storyboard
    labels = [f"[s{i}]" for i in range(branches)]
    if branches:
        cmd.add_filter(f"[0:v:0]split={branches}{''.join(labels)}")
    for i, rung in enumerate(encoded):
        cmd.add_filter(
            f"[s{i}]scale={rung.width}:{rung.height}:flags=bicubic,"
            f"format=yuv420p,setsar=1[v{rung.name}]"
        )
    if extras:
        poster_in, board_in = labels[-2], labels[-1]
        cmd.add_filter(
            f"{poster_in}select='isnan(prev_selected_t)*gte(t\\,{p.poster_time})',"
            "format=rgb24[poster]"
        )
        cmd.add_filter(
            f"{board_in}fps=1/{p.storyboard_interval},"
            f"scale={p.tile_width}:{p.tile_height},"
            f"tile={STORYBOARD_COLUMNS}x{STORYBOARD_ROWS}[board]"
        )

    for rung in p.rungs:
        prof = rung.profile
        opts = []
        if rung.copy:
            opts += ["-map", "0:v:0", "-c:v", "copy"]
        else:
            opts += [
                "-map",
                f"[v{rung.name}]",
                "-c:v",
                "libx264",
                "-preset",
                preset,
                "-profile:v",
                "high",
                "-crf",
                crf,
                "-maxrate",
                f"{prof.maxrate_k}k",
                "-bufsize",
                f"{prof.bufsize_k}k",
                # Fixed GOP, no scene-cut keyframes: segments line up across rungs.
                "-g",
                str(p.gop),
                "-keyint_min",
                str(p.gop),
                "-sc_threshold",
                "0",
            ]
        opts += ["-map", "0:a:0?"]
        if rung.copy and p.copy_audio:
            opts += ["-c:a", "copy"]
        else:
            opts += ["-c:a", "aac", "-b:a", f"{prof.audio_k}k", "-ac", "2"]
        # tee cannot tell the encoders that mp4/fMP4 want global headers.
        opts += ["-flags", "+global_header", "-f", "tee"]
        cmd.add_output(_tee_target(rung), *opts)

    if extras:
        cmd.add_output("poster.png", "-map", "[poster]", "-update", "1", "-f", "image2")
        cmd.add_output(
            "storyboard.jpg",
            *("-map", "[board]", "-update", "1", "-q:v", "4", "-f", "image2"),
        )
    return cmd.build()


def master_playlist(p: Plan, src: ProbeResult, workdir) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    duration = src.duration or 1
    for rung in p.rungs:
        size = os.path.getsize(os.path.join(workdir, f"{rung.name}.mp4"))
        average = int(size * 8 / duration)
        peak = max(average, rung.profile.maxrate_k * 1000 + rung.profile.audio_k * 1000)
        codecs = "avc1.640028" if not rung.copy else "avc1.64002a"
        if src.has_audio:
            codecs += ",mp4a.40.2"
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={peak},AVERAGE-BANDWIDTH={average},"
            f'RESOLUTION={rung.width}x{rung.height},CODECS="{codecs}"'
        )
        lines.append(f"{rung.name}.m3u8")
    return "\n".join(lines) + "\n"


def run_transcode(
    src_path,
    src: ProbeResult,
    p: Plan,
    workdir,
    on_progress: Callable[[float], None] | None = None,
) -> None:
    """Transcode `p` into workdir: {rung}.mp4, hls/*, poster.png, storyboard.jpg."""
    os.makedirs(os.path.join(workdir, "hls"), exist_ok=True)
    args = build_command(src_path, src, p)
    duration_us = (src.duration or 0) * 1_000_000

    def progress(block: dict[str, str]) -> None:
        if on_progress is None or not duration_us:
            return
        try:
            out_us = float(block.get("out_time_us") or block.get("out_time_ms") or 0)
        except ValueError:
            return
        done = block.get("progress") == "end"
        on_progress(100.0 if done else max(0.0, min(99.9, 100 * out_us / duration_us)))

    timeout = getattr(settings, "MEDIA_TRANSCODE_TIMEOUT", None) or max(
        600, 10 * (src.duration or 60)
    )
    ffmpeg.run(args, timeout=timeout, cwd=str(workdir), on_progress=progress)
    with open(os.path.join(workdir, "hls", "master.m3u8"), "w") as fh:
        fh.write(master_playlist(p, src, workdir))
