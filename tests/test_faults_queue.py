"""Faults against the real queue (Redis, Celery workers): a job queued inside a
transaction that rolls back never reaches the broker, while the same after a
commit does; the same transcode delivered twice at once runs once; a Redis
restart loses no job."""

from __future__ import annotations

import io
import time

import pytest
from django.db import transaction

from media_pipeline import files, services, storage
from media_pipeline.models import Video, VideoStatus
from tests.factories import UserFactory
from tests.fixtures_media import wait_for_video

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
    assert wait_for_video(video, lambda v: v.status == VideoStatus.READY, 120), (
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


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    """This module's own Redis (it is restarted here), persisted as a
    production broker must be: an append-only file written on every change
    (docs/deploy.md). Overrides the session's for celery_workers."""
    import shutil
    import subprocess

    from tests.fixtures_media import free_port, stop, wait_or_fail

    port = free_port()
    workdir = tmp_path_factory.mktemp("redis-restarted")
    args = [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1"]
    args += ["--save", "", "--appendonly", "yes", "--appendfsync", "always"]
    args += ["--dir", str(workdir)]

    def start():
        proc = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_or_fail(port, proc, "redis-server")
        return proc

    server = {"proc": start()}

    def restart():
        stop(server["proc"])
        server["proc"] = start()

    url = f"redis://127.0.0.1:{port}/0"
    RESTART[url] = restart
    yield url
    stop(server["proc"])


RESTART: dict = {}  # url -> restart(): stop Redis (SIGTERM) and start it again


def test_redis_restarted_mid_queue_loses_no_job(
    transactional_db, redis_server, celery_workers, media_clips
):
    """A job running and a job waiting when Redis restarts: the worker
    reconnects, both finish; one queued after the restart runs too."""
    worker = celery_workers("restart")
    with open(media_clips("tiny"), "rb") as fh:
        data = fh.read()
    running = services.create_video(title="running", fileobj=io.BytesIO(data))
    assert wait_for_video(running, lambda v: v.status == VideoStatus.TRANSCODING, 60)
    waiting = services.create_video(title="waiting", fileobj=io.BytesIO(data))
    RESTART[redis_server]()
    after = services.create_video(title="after", fileobj=io.BytesIO(data))
    for video in (running, waiting, after):
        assert wait_for_video(video, lambda v: v.status == VideoStatus.READY, 180), (
            video.title,
            video.status,
            video.reason_detail,
            worker["log"].read_text(),
        )
