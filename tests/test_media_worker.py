"""The production queue: django-tasks -> Celery -> Redis -> a worker process."""

import time

import pytest

from media_pipeline import services
from media_pipeline.models import VideoStatus

pytestmark = pytest.mark.redis


def test_job_runs_on_a_celery_worker(transactional_db, celery_worker, media_clips):
    with open(media_clips("tiny"), "rb") as fh:
        video = services.create_video(title="worker", fileobj=fh)  # autocommit
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        video.refresh_from_db()
        if video.status in (
            VideoStatus.READY,
            VideoStatus.REJECTED,
            VideoStatus.FAILED,
        ):
            break
        time.sleep(0.5)
    log = celery_worker["log"].read_text()
    assert video.status == VideoStatus.READY, (video.reason_detail, log)
    assert "weike.run_django_task" in log
    assert video.renditions.filter(status="ready").count() == 2
