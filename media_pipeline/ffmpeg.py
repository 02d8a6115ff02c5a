"""Our own ffmpeg/ffprobe argument builder and runners.

Commands are always argument lists (never shell strings), every input is
opened with a file-only protocol whitelist and a demuxer whitelist, and every
process runs under a time limit. Nothing here touches Django storage: it works
on local paths only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings

# Demuxers that may ever open an upload. Playlist demuxers (hls, concat,
# ffconcat, image2 patterns …) are absent on purpose: they open other files or
# URLs named inside the upload.
DEFAULT_DEMUXERS = (
    "mov",
    "mp4",
    "m4a",
    "3gp",
    "3g2",
    "mj2",
    "matroska",
    "webm",
    "avi",
    "flv",
    "asf",
    "mpegts",
    "mpeg",
    "dv",
    # Sound only: opened to be refused as `no_video`, never transcoded.
    "mp3",
    "wav",
    "aac",
)


class FFmpegError(Exception):
    """ffmpeg/ffprobe exited non-zero, or could not be started."""

    def __init__(self, message: str, stderr: str = "", timed_out: bool = False):
        super().__init__(message)
        self.stderr = stderr
        self.timed_out = timed_out


def ffmpeg_binary() -> str:
    return getattr(settings, "MEDIA_FFMPEG_BINARY", "ffmpeg")


def ffprobe_binary() -> str:
    return getattr(settings, "MEDIA_FFPROBE_BINARY", "ffprobe")


def allowed_demuxers() -> tuple[str, ...]:
    return tuple(getattr(settings, "MEDIA_ALLOWED_DEMUXERS", DEFAULT_DEMUXERS))


def safe_input_args(path: str | os.PathLike, demuxer: str | None = None) -> list[str]:
    """Input options that stop a file from reaching anything but itself."""
    args = [
        "-protocol_whitelist",
        "file",
        "-format_whitelist",
        ",".join(allowed_demuxers()),
    ]
    if demuxer:
        args += ["-f", demuxer]
    # The file: prefix stops a name such as "concat:a|b" being read as a URL.
    return args + ["-i", f"file:{os.fspath(path)}"]


@dataclass
class Output:
    """One output of an ffmpeg command: options that precede its target."""

    target: str
    options: list[str] = field(default_factory=list)


@dataclass
class FFmpegCommand:
    """Builds an ffmpeg argument list: global options, inputs, graph, outputs."""

    global_options: list[str] = field(
        default_factory=lambda: ["-hide_banner", "-nostdin", "-y", "-v", "error"]
    )
    inputs: list[list[str]] = field(default_factory=list)
    filter_complex: list[str] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)

    def add_input(self, path, demuxer: str | None = None, options=()) -> int:
        self.inputs.append(list(options) + safe_input_args(path, demuxer))
        return len(self.inputs) - 1

    def add_filter(self, chain: str) -> None:
        self.filter_complex.append(chain)

    def add_output(self, target: str, *options: str) -> Output:
        out = Output(target=target, options=list(options))
        self.outputs.append(out)
        return out

    def build(self) -> list[str]:
        args = [ffmpeg_binary(), *self.global_options]
        for input_args in self.inputs:
            args += input_args
        if self.filter_complex:
            args += ["-filter_complex", ";".join(self.filter_complex)]
        for out in self.outputs:
            args += [*out.options, out.target]
        return args


def run_captured(
    args: list[str], timeout: float, tool: str, cwd: str | None = None
) -> subprocess.CompletedProcess:
    """Run to the end with stdout/stderr captured; FFmpegError on any failure."""
    try:
        proc = subprocess.run(
            args, cwd=cwd, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as exc:
        raise FFmpegError(f"{tool} timed out", str(exc.stderr or ""), True) from exc
    except OSError as exc:
        raise FFmpegError(f"cannot start {args[0]}: {exc}") from exc
    if proc.returncode != 0:
        raise FFmpegError(f"{tool} exited {proc.returncode}", proc.stderr)
    return proc


def run(
    args: list[str],
    timeout: float,
    cwd: str | None = None,
    on_progress: Callable[[dict[str, str]], None] | None = None,
) -> str:
    """Run ffmpeg; with on_progress, parse `-progress pipe:1` blocks as they come.

    Returns stderr. Raises FFmpegError on failure or when the time limit passes.
    """
    if on_progress is None:
        return run_captured(args, timeout, "ffmpeg", cwd=cwd).stderr

    # Streaming variant: stderr goes to a temp file so a chatty ffmpeg can
    # never block on a full pipe while we read progress from stdout.
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryFile(mode="w+") as err:
        try:
            proc = subprocess.Popen(
                args, cwd=cwd, stdout=subprocess.PIPE, stderr=err, text=True
            )
        except OSError as exc:
            raise FFmpegError(f"cannot start {args[0]}: {exc}") from exc
        timed_out = False
        block: dict[str, str] = {}
        assert proc.stdout is not None
        for line in proc.stdout:
            key, _, value = line.strip().partition("=")
            block[key] = value
            if key == "progress":
                on_progress(block)
                block = {}
            if time.monotonic() > deadline:
                timed_out = True
                proc.kill()
                break
        try:
            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.kill()
            proc.wait()
        err.seek(0)
        stderr = err.read()
    if timed_out:
        raise FFmpegError("ffmpeg timed out", stderr, True)
    if proc.returncode != 0:
        raise FFmpegError(f"ffmpeg exited {proc.returncode}", stderr)
    return stderr


def ffprobe_json(path, demuxer: str | None = None, timeout: float = 30) -> dict:
    """ffprobe's view of a local file (format + streams) as a dict."""
    args = [
        ffprobe_binary(),
        "-hide_banner",
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        *safe_input_args(path, demuxer),
    ]
    proc = run_captured(args, timeout, "ffprobe")
    try:
        return json.loads(proc.stdout or "{}")
    except ValueError as exc:
        raise FFmpegError("ffprobe printed invalid JSON", proc.stderr) from exc


def missing_binaries(names: Iterable[str] | None = None) -> list[str]:
    names = names or (ffmpeg_binary(), ffprobe_binary())
    return [name for name in names if shutil.which(name) is None]
