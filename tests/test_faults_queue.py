"""Faults against the real queue (Redis, Celery workers): a job queued inside a
transaction that rolls back never reaches the broker, while the same after a
commit does; the same transcode delivered twice at once runs once."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from media_pipeline import files, services, storage
from media_pipeline.models import Video, VideoStatus
from tests.factories import UserFactory

pytestmark = [pytest.mark.redis]


@pytest.fixture
def broker(transactional_db, redis_server, settings):
    import redis

    settings.BROKER_URL = redis_server
    settings.TASKS = {
        "default": {"BACKEND": "media_pipeline.celery_backend.CeleryBackend"}
    }
    client = redis.Redis.from_url(redis_server)
    client.delete("weike")
    yield client
    client.delete("weike")


def _queue_jobs(owner) -> Video:
    video = Video.objects.create(
        title="回滚",
        file="originals/r.mp4",
        status=VideoStatus.UPLOADED,
        uploaded_by=owner,
    )
    services.enqueue_processing(video)
    files.delete_after_commit(["originals/old.mp4"])
    return video


def test_jobs_of_a_rolled_back_transaction_never_reach_the_broker(broker):
    owner = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue_jobs(owner)
        raise RuntimeError("the request failed after queueing")
    assert broker.llen("weike") == 0, _queued_tasks(broker)
    assert not Video.objects.filter(title="回滚").exists()

    with transaction.atomic():
        _queue_jobs(owner)
    # The same jobs after a commit do (and modelsearch's re-index of the row).
    assert {
        "media_pipeline.services.process_video_task",
        "media_pipeline.files.delete_files_task",
    } <= set(_queued_tasks(broker))


def _queued_tasks(broker) -> list[str]:
    """The django-tasks path of each message waiting in the queue."""
    import base64
    import json

    paths = []
    for raw in broker.lrange("weike", 0, -1):
        body = json.loads(base64.b64decode(json.loads(raw)["body"]))
        paths.append(body[0][0])  # (args, kwargs, embed); args[0] = task path
    return paths


def _wait(video, done, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        video.refresh_from_db()
        if done(video):
            return True
        time.sleep(0.2)
    return False


def test_the_same_transcode_delivered_twice_at_once_runs_once(
    transactional_db, celery_workers, media_clips
):
    """Two idle workers each take one of two messages for the same video (a
    double click on retry, a redelivery while the first run is alive): one
    run does the work; the other finds the job leased and does nothing."""
    workers = [celery_workers("one"), celery_workers("two")]
    with open(media_clips("tiny"), "rb") as fh:
        video = services.create_video(title="twice", fileobj=fh, enqueue=False)
    services.process_video_task.enqueue(video.pk)
    services.process_video_task.enqueue(video.pk)
    logs = [w["log"] for w in workers]
    assert _wait(video, lambda v: v.status == VideoStatus.READY, 120), (
        video.reason_detail,
        [p.read_text() for p in logs],
    )
    # Every delivery is done: the two messages, and any redelivery of the
    # running job by Redis (its visibility timeout is 5 s here). A job's
    # result is the video's status; the other tasks, re-indexing the video's
    # row, return None.
    deadline = time.monotonic() + 30
    while True:
        text = "".join(p.read_text() for p in logs)
        if text.count(" received") == text.count(" succeeded in "):
            break
        assert time.monotonic() < deadline, text
        time.sleep(0.2)
    runs = text.count(": 'ready'") + text.count(": 'probing'")
    runs += text.count(": 'transcoding'")
    assert runs >= 2, text
    assert video.attempts == 1, text  # one claim: one state change
    # The duplicates came while the first run held the job (not after it).
    assert text.count("is being processed by another run") == runs - 1, text
    profiles = list(video.renditions.values_list("profile", flat=True))
    assert len(profiles) == len(set(profiles)) == 2
    # One output set: each rendition's file under its own name, no copies.
    stored = set(storage.walk(f"renditions/{video.pk}/"))
    for rendition in video.renditions.all():
        assert rendition.file.name == f"renditions/{video.pk}/{rendition.profile}.mp4"
    mp4s = {n for n in stored if n.endswith(".mp4") and "/hls/" not in n}
    assert mp4s == {r.file.name for r in video.renditions.all()}, stored
