"""The production queue: django-tasks -> Celery -> Redis -> a worker process."""

import os
import signal

import pytest

from media_pipeline import services
from media_pipeline.models import VideoStatus
from tests.fixtures_media import wait_for_video

pytestmark = pytest.mark.redis
FINISHED = (VideoStatus.READY, VideoStatus.REJECTED, VideoStatus.FAILED)


def test_job_runs_on_a_celery_worker(transactional_db, celery_worker, media_clips):
    with open(media_clips("tiny"), "rb") as fh:
        video = services.create_video(title="worker", fileobj=fh)  # autocommit
    wait_for_video(video, lambda v: v.status in FINISHED, 90)
    log = celery_worker["log"].read_text()
    assert video.status == VideoStatus.READY, (video.reason_detail, log)
    assert "weike.run_django_task" in log
    assert video.renditions.filter(status="ready").count() == 2


def test_job_of_a_killed_worker_finishes_on_another(
    transactional_db, celery_workers, media_clips
):
    """The worker (and its ffmpeg) dies mid-transcode, as when its machine goes:
    the unacknowledged job comes back from Redis once the visibility timeout
    passes (5 s in tests, 4 h by default), another worker runs it again from
    the start, and the original and the video's rows survive."""
    first = celery_workers("first")
    with open(media_clips("landscape_854"), "rb") as fh:
        video = services.create_video(title="killed mid-job", fileobj=fh)
    original = video.file.name
    started = wait_for_video(video, lambda v: v.progress > 0, 120)
    assert started, (video.status, first["log"].read_text())
    os.killpg(first["proc"].pid, signal.SIGKILL)
    first["proc"].wait()
    video.refresh_from_db()
    assert video.status == VideoStatus.TRANSCODING  # left half done
    assert video.file.storage.exists(original)

    second = celery_workers("second")
    finished = wait_for_video(
        video,
        lambda v: v.status in (VideoStatus.READY, VideoStatus.FAILED),
        240,
    )
    log = second["log"].read_text()
    assert finished and video.status == VideoStatus.READY, (video.reason_detail, log)
    assert "weike.run_django_task" in log
    assert video.file.name == original and video.file.storage.exists(original)
    renditions = list(video.renditions.values_list("profile", "status"))
    assert renditions and all(status == "ready" for _, status in renditions)
    assert len({profile for profile, _ in renditions}) == len(renditions)
