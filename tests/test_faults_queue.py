"""Faults against the real queue: a job queued inside a transaction that rolls
back never reaches the broker (Redis), while the same after a commit does."""

from __future__ import annotations

import pytest
from django.db import transaction

from media_pipeline import files, services
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
