"""Services of the media pipeline: create, process, retry.

`process_video` is the whole job and is idempotent: it can run again for the
same video (a retry, a redelivered Celery message after a worker died) and
ends in the same rows and the same storage names, never in duplicates. Two
deliveries at once run it once: the first holds a lease on the video that
its run renews, and the second finds it held and does nothing.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task
from PIL import Image

from . import captions, ffmpeg, files, fingerprint, storage, transcode_cache
from .media_types import OPAQUE, OPAQUE_EXTENSION
from .models import (
    RenditionStatus,
    Video,
    VideoCaption,
    VideoRendition,
    VideoStatus,
)
from .probe import ProbeResult, check_decodable, probe, read_packets, validate
from .rules import Reason, Rejected, Rejection
from .transcode import plan, run_transcode

logger = logging.getLogger(__name__)

POSTER_WIDTH = 720
THUMBNAIL_WIDTH = 344


def find_duplicate(sha256: str, exclude_pk=None) -> Video | None:
    """An earlier video with the same bytes that is usable (not rejected)."""
    if not sha256:
        return None
    qs = Video.objects.filter(sha256=sha256).exclude(status=VideoStatus.REJECTED)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("pk").first()


def find_or_create_video(*, sha256: str, **fields) -> tuple[Video, bool]:
    """The one way an original becomes a video: an earlier usable video with
    the same bytes is reused (`created` False; the caller drops its copy),
    else a new one is recorded and queued (`create_video`)."""
    duplicate = find_duplicate(sha256)
    if duplicate is not None:
        return duplicate, False
    return create_video(sha256=sha256, **fields), True


def create_video(
    *,
    title: str,
    fileobj=None,
    stored_name: str = "",
    original_filename: str = "",
    sha256: str = "",
    size: int | None = None,
    user=None,
    enqueue: bool = True,
    extension: str = OPAQUE_EXTENSION,
) -> Video:
    """Record an uploaded original and queue its processing after commit.

    Either `fileobj` (saved through the storage API under a generated name
    ending in `extension`, the probed container's) or `stored_name` (already
    in storage, e.g. completed by the tus view) is given.
    """
    video = Video(
        title=title[:255],
        sha256=sha256,
        uploaded_by=user,
        original_filename=original_filename[:255],
        file_size=size,
    )
    if fileobj is not None:
        # A generated key: the file's own name never reaches a storage path.
        name = f"{uuid.uuid4().hex}.{extension}"
        # An original is opaque bytes whatever its name says (`poc.html`).
        original = storage.typed_file(fileobj, name, OPAQUE)
        storage.with_retries(video.file.save, name, original, save=False)
    else:
        video.file.name = stored_name
    video.save()
    if enqueue:
        enqueue_processing(video)
    return video


@task()
def process_video_task(video_id: int) -> str:
    """The background job (thin; listed in tasks.py). Defined beside the work
    it runs, so enqueuing it needs no import of the tasks module."""
    return process_video(video_id)


def enqueue_processing(video: Video) -> None:
    video_id = video.pk
    transaction.on_commit(lambda: process_video_task.enqueue(video_id))


def retry_video(video: Video) -> bool:
    """Queue a failed (or stuck) video again; the original was kept."""
    updated = Video.objects.filter(
        pk=video.pk,
        status__in=[VideoStatus.FAILED, VideoStatus.UPLOADED],
    ).update(
        status=VideoStatus.UPLOADED,
        reason="",
        reason_detail="",
        reason_params={},
        progress=0,
    )
    if updated:
        enqueue_processing(video)
    return bool(updated)


def _set(video: Video, **fields) -> None:
    for key, value in fields.items():
        setattr(video, key, value)
    Video.objects.filter(pk=video.pk).update(**fields)


RUNNING = [VideoStatus.PROBING, VideoStatus.TRANSCODING]


def _claim(video_id: int) -> bool:
    """Take the job in one UPDATE (the database serialises two at once): a
    video waiting for processing, or one whose run stopped renewing its lease
    (its worker died mid-job), never one another run holds."""
    now = timezone.now()
    lapsed = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    lease = timedelta(seconds=settings.MEDIA_JOB_LEASE_SECONDS)
    return bool(
        Video.objects.filter(pk=video_id)
        .filter(Q(status=VideoStatus.UPLOADED) | (Q(status__in=RUNNING) & lapsed))
        .update(
            status=VideoStatus.PROBING,
            attempts=F("attempts") + 1,
            lease_expires_at=now + lease,
        )
    )


@contextmanager
def _lease_kept(video_id: int):
    """Renew the lease from a thread while the job runs (a download or an
    upload may outlast it without other writes); let it go at the end."""
    seconds = settings.MEDIA_JOB_LEASE_SECONDS
    stop = threading.Event()

    def renew() -> None:
        try:
            while not stop.wait(seconds / 3):
                try:
                    Video.objects.filter(pk=video_id, status__in=RUNNING).update(
                        lease_expires_at=timezone.now() + timedelta(seconds=seconds)
                    )
                except DatabaseError:
                    logger.exception("lease of video %s not renewed", video_id)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=renew, name=f"lease-{video_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
        Video.objects.filter(pk=video_id).exclude(status__in=RUNNING).update(
            lease_expires_at=None
        )


def process_video(video_id: int) -> str:
    """Probe, validate and transcode one video. Returns the final status."""
    claimed = _claim(video_id)
    video = Video.objects.get(pk=video_id)
    if not claimed:
        if video.status in RUNNING:
            logger.info(
                "video %s is being processed by another run: nothing to do", video_id
            )
        return video.status  # already finished, rejected or waiting for a retry

    workdir = Path(tempfile.mkdtemp(prefix=f"weike-video-{video_id}-"))
    try:
        with _lease_kept(video_id):
            return _process(video, workdir)
    except Rejected as exc:
        _set(
            video,
            status=VideoStatus.REJECTED,
            reason=exc.code,
            # The sentence is made from the code and its parameters when
            # shown, in the reader's language; nothing more to keep.
            reason_detail="",
            reason_params=exc.rejection.params,
            retriable=False,
        )
        # Rejection is final (only failed jobs are retried): keep the row and
        # its reason, not the bytes (it may be anything: an HTML page behind
        # an MP4 header).
        files.discard_video_files(video)
    except storage.StorageUnavailable as exc:
        _fail(video, Reason.STORAGE_ERROR, str(exc))
    except ffmpeg.FFmpegError as exc:
        code = Reason.TRANSCODE_TIMEOUT if exc.timed_out else Reason.TRANSCODE_FAILED
        _fail(video, code, f"{exc}\n{exc.stderr[-4000:]}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return video.status


def _fail(video: Video, code: str, detail: str) -> None:
    _set(
        video,
        status=VideoStatus.FAILED,
        reason=code,
        # The technical log for administrators (ffmpeg's or the storage's).
        reason_detail=detail[:20000],
        reason_params={},
        retriable=True,
    )
    video.renditions.exclude(status=RenditionStatus.READY).update(
        status=RenditionStatus.FAILED, log=detail[-20000:]
    )


def _process(video: Video, workdir: Path) -> str:
    suffix = Path(video.file.name).suffix[:10]
    src = workdir / f"original{suffix}"
    digest = storage.download(video.file.name, src)
    if not video.sha256:
        _set(video, sha256=digest)
    if not video.file_size:
        _set(video, file_size=src.stat().st_size)

    result = probe(src)
    packets = None
    if result.has_video and not result.duration:
        # No stated length (a recorder that never closed its file): the
        # packets tell it, before the duration rules are checked.
        packets = read_packets(src, result)
    _set(
        video,
        probe=result.facts(),
        container=result.format_name,
        video_codec=result.video_codec,
        audio_codec=result.audio_codec,
        frame_rate=result.frame_rate,
        bit_rate=result.bit_rate,
        rotation=result.rotation,
        duration=result.duration,
        width=result.width,
        height=result.height,
    )
    validate(result)
    packets = check_decodable(src, result, packets)

    _set(video, status=VideoStatus.TRANSCODING, progress=0)
    out = workdir / "out"
    out.mkdir()
    p = plan(result, packets=packets)
    wanted = [r.name for r in p.rungs]
    video.renditions.exclude(profile__in=wanted).delete()
    renditions = {name: video.get_rendition(name) for name in wanted}
    VideoRendition.objects.filter(pk__in=[r.pk for r in renditions.values()]).update(
        status=RenditionStatus.RUNNING, progress=0, log=""
    )

    last = [0.0]

    def on_progress(percent: float) -> None:
        # One write a second is plenty for a progress bar.
        now = time.monotonic()
        if now - last[0] < 1 and percent < 100:
            return
        last[0] = now
        _set(video, progress=round(percent, 1))
        VideoRendition.objects.filter(video=video, profile__in=wanted).update(
            progress=round(percent, 1)
        )

    published: set[str] = set()  # local names already in storage

    def on_first_playable(first) -> None:
        # The lowest rung, the poster and a master playlist naming that rung
        # alone: the lesson plays while the other rungs are encoded.
        _publish(video, first, out, renditions, published)
        _set(video, hls_master=f"renditions/{video.pk}/hls/master.m3u8")

    cache_key = transcode_cache.key(src, digest, result, p)
    if not transcode_cache.restore(cache_key, out):
        run_transcode(
            src,
            result,
            p,
            out,
            on_progress=on_progress,
            on_first_playable=on_first_playable,
        )
        transcode_cache.store(cache_key, out)
    _fingerprint(video, out)
    tracks = captions.extract(src, result, out)
    _store_outputs(video, p, out, renditions, tracks, published)
    _set(video, status=VideoStatus.READY, progress=100, reason="", retriable=False)
    return VideoStatus.READY


def _fingerprint(video: Video, out: Path) -> None:
    """Hash the frames the transcode sampled and link the video to an earlier
    near duplicate (re-encoded, trimmed, resized): it stays usable, and
    counts once."""
    hashes = fingerprint.hash_frames(out / fingerprint.FOLDER)
    if not hashes["p"]:
        logger.warning("no frames sampled for the fingerprint of video %s", video.pk)
        return
    _set(video, frame_hashes=hashes)
    candidates = (
        Video.objects.exclude(pk=video.pk)
        .exclude(status=VideoStatus.REJECTED)
        .exclude(frame_hashes={})
        .filter(pk__lt=video.pk)
        .order_by("pk")
    )
    original = fingerprint.find_original(video, candidates.iterator())
    if original is not None:
        _set(video, duplicate_of=original)


def _upload(out: Path, local: str, base: str, published: set[str]) -> str:
    """Store out/local as base/local unless this run stored it already."""
    name = f"{base}/{local}"
    if local not in published:
        storage.upload(out / local, name)
        published.add(local)
    return name


def _publish(video: Video, p, out: Path, renditions, published: set[str]) -> None:
    """Store the rungs of `p` (MP4 + HLS), the poster images and the master
    playlist as it stands, and mark those rungs ready."""
    base = f"renditions/{video.pk}"
    images = _make_images(out)
    for rung in p.rungs:
        for name in sorted(os.listdir(out / "hls")):
            if name.startswith(f"{rung.name}_") or name == f"{rung.name}.m3u8":
                _upload(out, f"hls/{name}", base, published)
        rendition = renditions[rung.name]
        mp4 = out / f"{rung.name}.mp4"
        rendition.file.name = _upload(out, mp4.name, base, published)
        rendition.hls_playlist.name = f"{base}/hls/{rung.name}.m3u8"
        rendition.width, rendition.height = rung.width, rung.height
        rendition.file_size = mp4.stat().st_size
        rendition.copied = rung.copy
        rendition.status = RenditionStatus.READY
        rendition.progress = 100
        rendition.save()
    for field, local in images.items():
        getattr(video, field).name = _upload(out, local.name, base, published)
    # The master names more rungs each time: always stored again.
    published.discard("hls/master.m3u8")
    video.hls_master.name = _upload(out, "hls/master.m3u8", base, published)
    video.save(update_fields=["hls_master", *images.keys()])


def _store_outputs(video: Video, p, out: Path, renditions, tracks, published) -> None:
    base = f"renditions/{video.pk}"
    images = _make_images(out)
    files.drop_stale_outputs(
        video,
        _output_names(base, p, out, images) | {f"{base}/{c.filename}" for c in tracks},
    )
    _store_captions(video, base, out, tracks)
    _publish(video, p, out, renditions, published)
    video.storyboard.name = storage.upload(
        out / "storyboard.jpg", f"{base}/storyboard.jpg"
    )
    video.storyboard_interval = p.storyboard_interval
    video.save(update_fields=["storyboard", "storyboard_interval"])


def _store_captions(video: Video, base: str, out: Path, tracks) -> None:
    # The author's uploaded track (captions.AUTHOR_POSITION) is not the file's.
    video.captions.exclude(position__in=[c.position for c in tracks]).exclude(
        position=captions.AUTHOR_POSITION
    ).delete()
    for caption in tracks:
        name = storage.upload(out / caption.filename, f"{base}/{caption.filename}")
        VideoCaption.objects.update_or_create(
            video=video,
            position=caption.position,
            defaults={
                "language": caption.language,
                "label": caption.label,
                "default": caption.default,
                "file": name,
            },
        )


def _output_names(base: str, p, out: Path, images: dict[str, Path]) -> set[str]:
    """The stored names _store_outputs is about to write."""
    return {
        *(f"{base}/hls/{name}" for name in os.listdir(out / "hls")),
        *(f"{base}/{rung.name}.mp4" for rung in p.rungs),
        *(f"{base}/{local.name}" for local in images.values()),
        f"{base}/storyboard.jpg",
    }


def _make_images(out: Path) -> dict[str, Path]:
    """Poster (720 px) and thumbnail (344 px) in WebP and JPEG, with Pillow."""
    made = {}
    names = [
        (label, ext) for label in ("poster", "thumbnail") for ext in ("jpg", "webp")
    ]
    if all((out / f"{label}.{ext}").exists() for label, ext in names):
        # Made for the first playable rung already: the same poster frame.
        return {
            f"{label}_{'jpeg' if ext == 'jpg' else ext}": out / f"{label}.{ext}"
            for label, ext in names
        }
    with Image.open(out / "poster.png") as frame:
        frame = frame.convert("RGB")
        for label, width in (("poster", POSTER_WIDTH), ("thumbnail", THUMBNAIL_WIDTH)):
            height = max(1, round(frame.height * width / frame.width))
            img = frame.resize((width, height), Image.Resampling.LANCZOS)
            jpeg, webp = out / f"{label}.jpg", out / f"{label}.webp"
            img.save(jpeg, "JPEG", quality=85, optimize=True, progressive=True)
            img.save(webp, "WEBP", quality=80, method=4)
            made[f"{label}_jpeg"], made[f"{label}_webp"] = jpeg, webp
    return made


@dataclass(frozen=True)
class HeadCheck:
    """What the head of an upload in progress told: a certain rejection (with
    the rule's numbers, for the message) and the probe, if it parsed."""

    rejection: Rejection | None
    result: ProbeResult | None


def check_head(path) -> HeadCheck:
    try:
        result = probe(path)
    except Rejected as exc:
        if exc.code in (Reason.UNSUPPORTED_CONTAINER, Reason.EMPTY_FILE):
            return HeadCheck(exc.rejection, None)
        # A head that does not parse yet may still be a fine file.
        return HeadCheck(None, None)
    try:
        validate(result, partial=True)
    except Rejected as exc:
        return HeadCheck(exc.rejection, result)
    return HeadCheck(None, result)


def early_check(path) -> Rejection | None:
    """Probe the head of an upload in progress; the rejection, if certain."""
    return check_head(path).rejection


__all__ = [
    "HeadCheck",
    "ProbeResult",
    "check_head",
    "create_video",
    "early_check",
    "enqueue_processing",
    "find_duplicate",
    "process_video",
    "retry_video",
]
