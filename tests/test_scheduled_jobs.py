"""Periodic jobs without cron: Celery beat queues settings.PERIODIC_TASKS for
the workers; in the embedded mode run_scheduler queues them for db_worker."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

from ingest.models import Upload, UploadStatus
from tests.factories import UserFactory
from tests.fixtures_media import ROOT, stop
from weike.schedule import Schedule

JOBS = {
    "flush_view_counts",
    "cleanup_uploads",
    "reconcile_search_index",
    "reconcile_storage",
}


def test_the_beat_schedule_holds_every_periodic_job(settings):
    from media_pipeline.celery_app import app, beat_schedule

    assert set(app.conf.beat_schedule) == JOBS
    for name, entry in beat_schedule(settings.PERIODIC_TASKS).items():
        path = entry["args"][0]
        assert path == settings.PERIODIC_TASKS[name][0]
        assert isinstance(import_string(path), Task)
        assert entry["task"] == "weike.run_django_task"
        assert entry["schedule"] == settings.PERIODIC_TASKS[name][1] > 0


def test_an_interval_of_zero_turns_a_job_off(settings):
    from media_pipeline.celery_app import beat_schedule

    periodic = {**settings.PERIODIC_TASKS, "cleanup_uploads": ("x.y", 0)}
    assert set(beat_schedule(periodic)) == JOBS - {"cleanup_uploads"}
    assert set(Schedule(periodic, 0).jobs) == JOBS - {"cleanup_uploads"}


def test_the_embedded_schedule_runs_each_job_once_per_interval():
    schedule = Schedule({"a": ("p.a", 10), "b": ("p.b", 25)}, now=100)
    assert schedule.due(105) == []  # first run one interval after start
    assert schedule.due(110) == ["a"]
    assert schedule.due(111) == []
    # After a long pause each job runs once, not once per missed interval.
    assert sorted(schedule.due(500)) == ["a", "b"]
    assert schedule.due(505) == []


def _stale_upload(hours=48) -> Upload:
    upload = Upload.objects.create(
        owner=UserFactory(), length=10, storage_name="", filename="x.mp4"
    )
    Upload.objects.filter(pk=upload.pk).update(
        updated_at=timezone.now() - datetime.timedelta(hours=hours)
    )
    return upload


def _wait_for(predicate, timeout: float, what: str, log=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    detail = log.read_text()[-3000:] if log else ""
    pytest.fail(f"{what} within {timeout}s\n{detail}")


def _expired(upload) -> bool:
    return Upload.objects.get(pk=upload.pk).status == UploadStatus.EXPIRED


def _only(job: str, seconds: int = 1) -> dict:
    """Environment that runs `job` every `seconds` and nothing else."""
    return {
        f"WEIKE_SCHEDULE_{name.upper()}_SECONDS": str(seconds if name == job else 0)
        for name in JOBS
    }


@pytest.mark.redis
def test_celery_beat_and_a_worker_run_a_job_on_redis(
    transactional_db, celery_workers, tmp_path, redis_server
):
    upload = _stale_upload()
    fresh = _stale_upload(hours=1)
    celery_workers("scheduled")
    env = {
        **os.environ,
        **_only("cleanup_uploads"),
        "DJANGO_SETTINGS_MODULE": "mp_worker_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        "WEIKE_BROKER_URL": redis_server,
    }
    log = tmp_path / "beat.log"
    with open(log, "w") as out:
        beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "media_pipeline.celery_app"]
            + ["beat", "-l", "info", "-s", str(tmp_path / "beat-schedule")],
            cwd=str(ROOT),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            # Importing Django and Celery is slow on a loaded machine.
            _wait_for(lambda: "beat: Starting" in log.read_text(), 300, "beat up", log)
            _wait_for(lambda: _expired(upload), 60, "beat+worker expired", log)
        finally:
            stop(beat)
    assert "Sending due task cleanup_uploads" in log.read_text()
    assert Upload.objects.get(pk=fresh.pk).status == UploadStatus.RECEIVING


def test_the_embedded_scheduler_queues_jobs_for_db_worker(
    transactional_db, tmp_path, settings
):
    from django.db import connection

    upload = _stale_upload()
    (tmp_path / "embedded_settings.py").write_text(
        "from weike.settings.test import *  # noqa: F403\n"
        f"DATABASES = {{'default': {dict(connection.settings_dict)!r}}}\n"
        "TASKS = {'default': {'BACKEND': 'django_tasks_db.DatabaseBackend'}}\n"
    )
    env = {
        **os.environ,
        **_only("cleanup_uploads"),
        "DJANGO_SETTINGS_MODULE": "embedded_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    log = tmp_path / "embedded.log"
    with open(log, "w") as out:
        procs = [
            subprocess.Popen(
                manage + args, cwd=str(ROOT), env=env, stdout=out, stderr=out
            )
            for args in (
                ["run_scheduler"],
                ["db_worker", "--queue-name", "*", "--interval", "0.5", "--no-reload"],
            )
        ]
        try:
            _wait_for(lambda: _expired(upload), 300, "embedded run expired", log)
        finally:
            for proc in procs:
                stop(proc)
