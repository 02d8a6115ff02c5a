"""Faults against real S3 (the moto server) behind tests/fault_proxy.py:
503s and timeouts while an original and a video's renditions are written.

Writes are retried (botocore's own retries, then media_pipeline.storage's with
backoff); storage that stays down fails the job retriably, with the original
kept; and a video is never `ready` while a file it names is missing.
"""

from __future__ import annotations

import io
import time

import pytest

from media_pipeline import services
from media_pipeline.models import RenditionStatus, Video, VideoStatus
from media_pipeline.rules import Reason
from tests.fault_proxy import FaultProxy
from weike.settings.base import s3_client_config

pytestmark = [pytest.mark.django_db, pytest.mark.s3]


@pytest.fixture
def s3_behind_proxy(s3_storage, settings):
    proxy = FaultProxy(s3_storage["endpoint"])
    default = settings.STORAGES["default"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **default,
            "OPTIONS": {
                **default["OPTIONS"],
                "endpoint_url": proxy.url,
                # As production builds it, with a short read timeout.
                "client_config": s3_client_config("path", 2, 1),
            },
        },
    }
    settings.MEDIA_STORAGE_BACKOFF = 0.05
    settings.MEDIA_X264_PRESET = "ultrafast"
    settings.MEDIA_VALIDATION = {"MIN_DURATION": 1.0}
    proxy.hang_seconds = 30  # botocore waits 60 s unless told otherwise
    yield proxy, s3_storage
    proxy.close()


def _stored(s3) -> set[str]:
    found = s3["client"].list_objects_v2(Bucket=s3["bucket"])
    return {item["Key"] for item in found.get("Contents", [])}


def _named_files(video: Video) -> set[str]:
    """Every stored name a video row and its renditions point at."""
    names = {
        getattr(video, f).name
        for f in (
            "file",
            "poster_jpeg",
            "poster_webp",
            "thumbnail_jpeg",
            "thumbnail_webp",
            "storyboard",
            "hls_master",
        )
    }
    for rendition in video.renditions.filter(status=RenditionStatus.READY):
        names |= {rendition.file.name, rendition.hls_playlist.name}
    return {name for name in names if name}


def _puts(proxy, fault) -> int:
    return sum(1 for m, _p, f in proxy.seen if m == "PUT" and f == fault)


def test_s3_503s_and_timeouts_while_writing_originals_and_renditions(
    s3_behind_proxy, media_clips, caplog
):
    proxy, s3 = s3_behind_proxy

    # The original: 503 on the first eight requests, more than botocore's
    # own three tries; media_pipeline.storage tries again after a pause.
    proxy.set("503", times=8)
    with open(media_clips("tiny"), "rb") as fh:
        video = services.create_video(
            title="503", fileobj=io.BytesIO(fh.read()), enqueue=False
        )
    assert video.file.name in _stored(s3)
    assert "storage error (try 1/4)" in caplog.text
    assert proxy.fault is None  # all eight were used

    # Renditions while S3 answers nothing but 503 to their writes: the job
    # fails, retriably, and no file it names is missing.
    renditions = lambda method, path: method == "PUT" and "/renditions/" in path  # noqa: E731
    proxy.set("503", match=renditions)
    assert services.process_video(video.pk) == VideoStatus.FAILED
    video.refresh_from_db()
    assert video.reason == Reason.STORAGE_ERROR and video.retriable
    assert _puts(proxy, "503") >= 4 * 3  # every storage try, three HTTP tries each
    assert _named_files(video) <= _stored(s3)
    assert video.file.name in _stored(s3)  # the original is kept

    # Retried with writes that time out now and then: ready, nothing missing.
    proxy.set("hang", times=3, match=renditions)
    assert services.retry_video(video)
    started = time.monotonic()
    assert services.process_video(video.pk) == VideoStatus.READY
    # Each hung write was given up after the 1 s read timeout and tried again.
    assert time.monotonic() - started < 25
    video.refresh_from_db()
    assert _puts(proxy, "hang") == 3
    assert video.renditions.filter(status=RenditionStatus.READY).count() == 2
    named = _named_files(video)
    assert len(named) >= 11 and named <= _stored(s3)
    # Every segment a rendition's playlist names is there too.
    for rendition in video.renditions.all():
        playlist = video.file.storage.open(rendition.hls_playlist.name).read()
        folder = rendition.hls_playlist.name.rsplit("/", 1)[0]
        for line in playlist.decode().splitlines():
            if line and not line.startswith("#"):
                assert f"{folder}/{line}" in _stored(s3)
