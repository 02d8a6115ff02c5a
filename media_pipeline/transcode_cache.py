"""Finished transcodes kept by content, for development only.

`make run` seeds the demo on every fresh clone, and transcoding its clips was
half of the seed's time. When MEDIA_TRANSCODE_CACHE_DIR is set (the
development settings set it, under WEIKE_CACHE_DIR outside the clone), the
output folder of `run_transcode` is kept under a key that names everything
the output depends on: the source's bytes, the exact ffmpeg command, the
ffmpeg build and the pipeline's own code. The same key later restores that
folder instead of running ffmpeg; anything changed is a new key.

Production and test settings leave it unset. Only small sources are kept
(MEDIA_TRANSCODE_CACHE_MAX_BYTES), so a developer's own uploads do not fill
the disk.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

from . import ffmpeg
from .probe import ProbeResult
from .transcode import Plan, build_command

logger = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parent


def folder() -> Path | None:
    value = getattr(settings, "MEDIA_TRANSCODE_CACHE_DIR", "")
    return Path(value) if value else None


@functools.cache
def _pipeline_fingerprint() -> str:
    """The ffmpeg build and every module of this package: a change to either
    may change the output."""
    digest = hashlib.sha256()
    try:
        banner = subprocess.run(
            [ffmpeg.ffmpeg_binary(), "-version"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        banner = ""
    digest.update(banner.encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def key(source: Path, source_sha256: str, src: ProbeResult, p: Plan) -> str | None:
    """The cache key of this transcode, or None when nothing is cached."""
    root = folder()
    if root is None or not source_sha256:
        return None
    limit = getattr(settings, "MEDIA_TRANSCODE_CACHE_MAX_BYTES", 20 * 1024 * 1024)
    if source.stat().st_size > limit:
        return None
    # The source path differs per run (a temp folder): name it by its hash.
    command = build_command("source", src, p, extras=True)
    digest = hashlib.sha256()
    for part in (source_sha256, "\0".join(command), _pipeline_fingerprint()):
        digest.update(part.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def restore(cache_key: str | None, out: Path) -> bool:
    """Fill `out` from the cache; False (and nothing written) on a miss."""
    root = folder()
    if cache_key is None or root is None:
        return False
    kept = root / cache_key
    if not kept.is_dir():
        return False
    shutil.copytree(kept, out, dirs_exist_ok=True)
    logger.info("transcode restored from the development cache (%s)", cache_key[:12])
    return True


def store(cache_key: str | None, out: Path) -> None:
    """Keep a finished output folder; a concurrent store of the same key wins
    or loses as a whole (rename is atomic), never half-written."""
    root = folder()
    if cache_key is None or root is None or (root / cache_key).is_dir():
        return
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
        shutil.copytree(out, staging, dirs_exist_ok=True)
        try:
            os.rename(staging, root / cache_key)
        except OSError:  # stored meanwhile by another process
            shutil.rmtree(staging, ignore_errors=True)
    except OSError:
        # A cache that cannot be written only costs time next run.
        logger.warning("cannot keep the transcode in %s", root, exc_info=True)
