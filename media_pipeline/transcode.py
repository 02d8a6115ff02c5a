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
from dataclasses import dataclass, field, replace

from django.conf import settings

from . import ffmpeg, fingerprint
from .probe import ProbeResult
from .scan import Scan


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
STORYBOARD_ROWS = 10  # at most: a short clip gets as many rows as it fills
STORYBOARD_TILE_WIDTH = 160
POSTER_POSITION = 0.3  # share of the duration: past title cards, before credits
SEGMENT_SECONDS = 4  # HLS segments; a multiple of the keyframe interval

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
    gop_seconds: float  # a keyframe every gop_seconds of presentation time
    keyint: int  # x264's own limit, above the forced keyframes
    poster_time: float
    storyboard_interval: int
    storyboard_tiles: int
    tile_width: int
    tile_height: int
    deinterlace: bool = False
    copy_audio: bool = False
    extra: dict = field(default_factory=dict)


def storyboard_grid(duration: float | None, interval: int) -> tuple[int, int, int]:
    """(columns, rows, tiles) of the seek-bar sprite: one tile per `interval`
    seconds, ten to a row, as many rows as the clip fills (at most ten)."""
    most = STORYBOARD_COLUMNS * STORYBOARD_ROWS
    tiles = max(1, min(most, math.ceil((duration or 1) / max(1, interval))))
    columns = min(STORYBOARD_COLUMNS, tiles)
    return columns, math.ceil(tiles / columns), tiles


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
        and not src.sample_aspect  # square pixels only
        and not src.interlaced
        and src.short_side == profile.lines
        and (src.frame_rate or 0) <= 60
        and 0 < bitrate <= profile.maxrate_k * 1000 * 1.1
        and src.audio_codec in ("", "aac")
        and src.demuxer in ("mov", "matroska", "flv", "mpegts")
        and getattr(settings, "MEDIA_COPY_COMPLIANT_TOP", True)
    )


def keyframes_fit_grid(packets: Scan | None, seconds: float) -> bool:
    """Would a copy cut its HLS segments where the encoded rungs cut theirs?

    Encoded rungs get a keyframe on the first frame at or after every
    `seconds` mark, and the segmenter cuts on the first keyframe past each
    segment mark; a copied rung lines up only if the source has a keyframe on
    exactly those frames.
    """
    if packets is None or not packets.video_times:
        return False
    mark = seconds
    while mark < packets.end - 0.5:
        i = packets.first_frame_at_or_after(mark)
        if i is None:
            break
        if not packets.video_keys[i]:
            return False
        mark += seconds
    return True


def plan(
    src: ProbeResult, profiles: list[str] | None = None, packets: Scan | None = None
) -> Plan:
    """The ladder for `src`. `packets` (the full scan) is needed to copy the
    top rung: without it every rung is encoded."""
    ladder = [p for p in LADDER if profiles is None or p.name in profiles]
    # Never upscale: only rungs at or below the source's short side.
    fitting = [p for p in ladder if p.lines <= src.short_side] or [ladder[-1]]
    rungs = [Rung(p, *output_size(src, p.lines)) for p in fitting]
    if (
        rungs
        and can_copy(src, rungs[0].profile)
        and keyframes_fit_grid(packets, SEGMENT_SECONDS)
    ):
        rungs[0].copy = True
        rungs[0].width, rungs[0].height = src.width, src.height
    duration = src.duration or 1
    interval = max(2, math.ceil(duration / (STORYBOARD_COLUMNS * STORYBOARD_ROWS)))
    tile_w = STORYBOARD_TILE_WIDTH
    tile_h = _even(tile_w * (src.height or 9) / (src.width or 16))
    gop_seconds = float(getattr(settings, "MEDIA_GOP_SECONDS", 2))
    # Keyframes are forced by time (force_key_frames); x264's own interval is
    # set above them, from the highest rate frames come at, so a variable
    # frame rate never adds keyframes of its own.
    peak = src.peak_frame_rate or src.frame_rate or 25
    return Plan(
        rungs=rungs,
        gop_seconds=gop_seconds,
        keyint=max(2, 2 * math.ceil(gop_seconds * peak)),
        poster_time=round(duration * POSTER_POSITION, 3),
        storyboard_interval=interval,
        storyboard_tiles=storyboard_grid(duration, interval)[2],
        tile_width=tile_w,
        tile_height=tile_h,
        deinterlace=src.interlaced,
        # Only stereo (or mono) AAC is copied: 5.1 is mixed down like elsewhere.
        copy_audio=bool(
            rungs
            and rungs[0].copy
            and src.audio_codec == "aac"
            and (src.audio_channels or 0) <= 2
        ),
    )


def _tee_target(rung: Rung) -> str:
    name = rung.name
    hls = ":".join(
        [
            "f=hls",
            f"hls_time={SEGMENT_SECONDS}",
            "hls_playlist_type=vod",
            "hls_segment_type=fmp4",
            f"hls_fmp4_init_filename={name}_init.mp4",
            f"hls_segment_filename=hls/{name}_%05d.m4s",
        ]
    )
    return f"[f=mp4:movflags=+faststart]{name}.mp4|[{hls}]hls/{name}.m3u8"


DEINTERLACE = "bwdif=mode=send_frame:parity=auto:deint=interlaced"


def _video_options(rung: Rung, p: Plan, preset: str, crf: str) -> list[str]:
    prof = rung.profile
    if rung.copy:
        return ["-c:v", "copy"]
    return [
        *("-c:v", "libx264", "-preset", preset, "-profile:v", "high"),
        *("-crf", crf, "-maxrate", f"{prof.maxrate_k}k"),
        *("-bufsize", f"{prof.bufsize_k}k"),
        # Keyframes by presentation time, not frame count: the same instants in
        # every rung (segments line up) whatever the frame rate does.
        *("-force_key_frames", f"expr:gte(t,n_forced*{p.gop_seconds:g})"),
        *("-g", str(p.keyint), "-sc_threshold", "0"),
        # The source's own frame times: no frames invented for a VFR source.
        *("-fps_mode", "vfr"),
    ]


def _audio_options(rung: Rung, p: Plan, src: ProbeResult) -> list[str]:
    if src.audio_index is None:
        return []
    opts = ["-map", f"0:{src.audio_index}"]
    if rung.copy and p.copy_audio:
        return opts + ["-c:a", "copy"]
    return opts + [
        *("-c:a", "aac", "-b:a", f"{rung.profile.audio_k}k", "-ac", "2"),
        # Sound follows its timestamps: gaps and a late or early start (ASF
        # preroll) are padded or trimmed, so it stays with the picture.
        *("-af", "aresample=async=1:first_pts=0"),
    ]


def build_command(
    src_path, src: ProbeResult, p: Plan, extras: bool = True
) -> list[str]:
    """The ffmpeg arguments for the whole job; outputs are relative to cwd.

    extras=False leaves out the branches that sample frames: the storyboard's
    and the near-duplicate fingerprint's (fingerprint.py), so that the source
    is decoded for them in the same run as the rungs, never once more. The
    poster is taken by a seek of its own (make_poster): a branch here would
    hold ffmpeg's progress until its frame came, 30 % into the video.
    """
    preset = getattr(settings, "MEDIA_X264_PRESET", "veryfast")
    crf = str(getattr(settings, "MEDIA_X264_CRF", 23))
    cmd = ffmpeg.FFmpegCommand()
    cmd.global_options += ["-progress", "pipe:1", "-nostats"]
    cmd.add_input(src_path, src.demuxer)

    encoded = [r for r in p.rungs if not r.copy]
    branches = len(encoded) + (2 if extras else 0)  # + storyboard, fingerprint
    labels = [f"[s{i}]" for i in range(branches)]
    head = f"[0:{src.video_index}]" + (f"{DEINTERLACE}," if p.deinterlace else "")
    if branches:
        cmd.add_filter(f"{head}split={branches}{''.join(labels)}")
    for i, rung in enumerate(encoded):
        # Sizes are of the shown picture (SAR applied): square pixels out.
        cmd.add_filter(
            f"[s{i}]scale={rung.width}:{rung.height}:flags=bicubic,"
            f"format=yuv420p,setsar=1[v{rung.name}]"
        )
    if extras:
        # Single frames, written as they come (a tile filter would hold them
        # all, and ffmpeg's progress with them, until the end).
        cmd.add_filter(
            f"{labels[-2]}fps=1/{p.storyboard_interval},"
            f"scale={p.tile_width}:{p.tile_height},setsar=1[board]"
        )
        cmd.add_filter(f"{labels[-1]}{fingerprint.frame_filter(src.duration)}[prints]")

    for rung in p.rungs:
        source = f"0:{src.video_index}" if rung.copy else f"[v{rung.name}]"
        opts = ["-map", source, *_video_options(rung, p, preset, crf)]
        opts += _audio_options(rung, p, src)
        # tee cannot tell the encoders that mp4/fMP4 want global headers.
        opts += ["-flags", "+global_header", "-f", "tee"]
        cmd.add_output(_tee_target(rung), *opts)

    if extras:
        cmd.add_output(
            "storyboard/%04d.jpg",
            *("-map", "[board]", "-frames:v", str(p.storyboard_tiles)),
            *("-q:v", "4", "-f", "image2"),
        )
        cmd.add_output(
            f"{fingerprint.FOLDER}/f-%03d.png",
            *("-map", "[prints]", "-frames:v", str(fingerprint.MAX_FRAMES)),
            *("-f", "image2"),
        )
    return cmd.build()


def make_poster(src_path, src: ProbeResult, p: Plan, workdir) -> None:
    """poster.png: one frame at p.poster_time, by input seek (decodes one GOP)."""
    top = p.rungs[0]
    chain = ([DEINTERLACE] if p.deinterlace else []) + [
        f"scale={top.width}:{top.height}",
        "setsar=1",
    ]
    # A seek past the last frame (a header that overstates) yields nothing:
    # then the first frame.
    for position in (p.poster_time, 0):
        cmd = ffmpeg.FFmpegCommand()
        cmd.add_input(src_path, src.demuxer, options=["-ss", f"{position:.3f}"])
        cmd.add_output(
            "poster.png",
            *("-map", f"0:{src.video_index}", "-vf", ",".join(chain)),
            *("-frames:v", "1", "-update", "1", "-f", "image2"),
        )
        ffmpeg.run(cmd.build(), timeout=120, cwd=str(workdir))
        if os.path.exists(os.path.join(workdir, "poster.png")):
            return


def tile_storyboard(p: Plan, src: ProbeResult, workdir) -> None:
    """storyboard.jpg from the single frames, sized to the clip's length."""
    from PIL import Image

    columns, rows, tiles = storyboard_grid(src.duration, p.storyboard_interval)
    folder = os.path.join(workdir, "storyboard")
    frames = sorted(os.listdir(folder))[:tiles]
    sheet = Image.new("RGB", (columns * p.tile_width, rows * p.tile_height))
    for i, name in enumerate(frames):
        with Image.open(os.path.join(folder, name)) as tile:
            x, y = (i % columns) * p.tile_width, (i // columns) * p.tile_height
            sheet.paste(tile.convert("RGB"), (x, y))
    sheet.save(os.path.join(workdir, "storyboard.jpg"), "JPEG", quality=80)


# AAC profiles as ffprobe names them → MPEG-4 audio object type (RFC 6381).
AAC_OBJECT_TYPES = {"LC": 2, "HE-AAC": 5, "HE-AACv2": 29, "Main": 1, "LTP": 4}


def avc_codec(init: bytes) -> str | None:
    """`avc1.PPCCLL` from the avcC box: profile, constraint flags, level."""
    i = init.find(b"avcC")
    if i < 0 or len(init) < i + 8:
        return None
    return "avc1." + init[i + 5 : i + 8].hex()


def rung_codecs(workdir, rung: Rung) -> str:
    """The CODECS attribute of a rung, read from what was written."""
    init = os.path.join(workdir, "hls", f"{rung.name}_init.mp4")
    with open(init, "rb") as fh:
        codecs = [avc_codec(fh.read(1 << 20)) or "avc1.640028"]
    info = ffmpeg.ffprobe_json(init, demuxer="mov")
    for stream in info.get("streams") or []:
        if stream.get("codec_type") == "audio" and stream.get("codec_name") == "aac":
            codecs.append(f"mp4a.40.{AAC_OBJECT_TYPES.get(stream.get('profile'), 2)}")
    return ",".join(codecs)


def master_playlist(p: Plan, src: ProbeResult, workdir) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    duration = src.duration or 1
    for rung in p.rungs:
        size = os.path.getsize(os.path.join(workdir, f"{rung.name}.mp4"))
        average = int(size * 8 / duration)
        peak = max(average, rung.profile.maxrate_k * 1000 + rung.profile.audio_k * 1000)
        codecs = rung_codecs(workdir, rung)
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={peak},AVERAGE-BANDWIDTH={average},"
            f'RESOLUTION={rung.width}x{rung.height},CODECS="{codecs}"'
        )
        lines.append(f"{rung.name}.m3u8")
    return "\n".join(lines) + "\n"


def first_playable_split(p: Plan, duration: float | None) -> tuple[Plan, Plan] | None:
    """(the lowest rung alone, the rest) when a first pass of its own pays.

    A lesson is watchable once its 360p rung is: encoded alone it is done in
    a fraction of the ladder's time (the decode is the only work done twice).
    With one or two rungs the whole ladder is about as quick. Below
    MEDIA_FIRST_PLAYABLE_MIN_SECONDS the whole ladder is done within about
    that many seconds on two cores: the early rung would save less than the
    second decode costs (about 5 % more CPU; docs/media-pipeline.md).
    """
    if not getattr(settings, "MEDIA_FIRST_PLAYABLE_PASS", True) or len(p.rungs) < 3:
        return None
    if (duration or 0) < getattr(settings, "MEDIA_FIRST_PLAYABLE_MIN_SECONDS", 0):
        return None
    return replace(p, rungs=p.rungs[-1:]), replace(p, rungs=p.rungs[:-1])


# The first pass's share of the job, for one progress bar across both passes.
FIRST_PASS_SHARE = 20.0


def run_pass(src_path, src, p: Plan, workdir, on_progress=None, extras=True):
    """One ffmpeg run of the rungs of `p` (+ the sampled frames with extras)."""
    args = build_command(src_path, src, p, extras=extras)
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


def write_master(p: Plan, src: ProbeResult, workdir) -> None:
    with open(os.path.join(workdir, "hls", "master.m3u8"), "w") as fh:
        fh.write(master_playlist(p, src, workdir))


def _scaled(on_progress, low: float, high: float):
    if on_progress is None:
        return None
    return lambda percent: on_progress(low + (high - low) * percent / 100)


def run_transcode(
    src_path,
    src: ProbeResult,
    p: Plan,
    workdir,
    on_progress: Callable[[float], None] | None = None,
    on_first_playable: Callable[[Plan], None] | None = None,
) -> None:
    """Transcode `p` into workdir: {rung}.mp4, hls/*, poster.png, storyboard.jpg
    and the fingerprint's frame samples.

    With on_first_playable, a ladder of three rungs or more is made in two
    passes: the lowest rung first (the callback publishes it, with the poster
    and a master playlist naming it alone), then the others.
    """
    os.makedirs(os.path.join(workdir, "hls"), exist_ok=True)
    os.makedirs(os.path.join(workdir, "storyboard"), exist_ok=True)
    os.makedirs(os.path.join(workdir, fingerprint.FOLDER), exist_ok=True)
    make_poster(src_path, src, p, workdir)
    split = first_playable_split(p, src.duration) if on_first_playable else None
    if split:
        # The frame samples ride on the first pass: it is short, and their
        # branches cost little beside the decode it already pays for.
        first, rest = split
        share = FIRST_PASS_SHARE
        run_pass(src_path, src, first, workdir, _scaled(on_progress, 0, share))
        write_master(first, src, workdir)
        on_first_playable(first)
        run_pass(src_path, src, rest, workdir, _scaled(on_progress, share, 100), False)
    else:
        run_pass(src_path, src, p, workdir, on_progress)
    tile_storyboard(p, src, workdir)
    write_master(p, src, workdir)
