"""The Celery application that runs django-tasks tasks on remote workers.

Start a worker with:  celery -A media_pipeline.celery_app worker -l info
(WEIKE_BROKER_URL must point at the Redis broker, e.g. redis://host:6379/0),
and ONE scheduler per site:  celery -A media_pipeline.celery_app beat
(deploy/systemd/), which queues settings.PERIODIC_TASKS for the workers.
"""

import os

import django
from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weike.settings.production")
django.setup()

from django.conf import settings  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

VISIBILITY_TIMEOUT = int(os.environ.get("WEIKE_BROKER_VISIBILITY_TIMEOUT", 4 * 3600))

app = Celery("weike")
app.conf.update(
    broker_url=settings.BROKER_URL or "redis://127.0.0.1:6379/0",
    # Acknowledge after the job ran, and give the message back when the worker
    # process is killed mid-job, so another worker picks it up again.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_default_queue="weike",
    broker_connection_retry_on_startup=True,
    # A job whose worker died (machine gone, SIGKILL) is redelivered once its
    # message has been unacknowledged this long: longer than any transcode.
    broker_transport_options={
        "visibility_timeout": VISIBILITY_TIMEOUT,
        # Look for such messages every quarter of that (at most every minute).
        "unacked_restore_interval": max(1, min(60, VISIBILITY_TIMEOUT // 4)),
        "unacked_restore_throttle": 1,
    },
    task_ignore_result=True,
)


def beat_schedule(periodic_tasks: dict) -> dict:
    """Celery beat entries for settings.PERIODIC_TASKS (interval 0 = off).

    Each entry sends the same message as task.enqueue() does, so a worker
    runs scheduled jobs exactly like queued ones. A run that comes due while
    the scheduler was down is not made up: every job catches up in one run.
    """
    return {
        name: {
            "task": "weike.run_django_task",
            "schedule": float(seconds),
            "args": (path, [], {}),
            # Never let runs pile up behind a stopped worker pool.
            "options": {"queue": "weike", "expires": float(seconds)},
        }
        for name, (path, seconds) in periodic_tasks.items()
        if seconds > 0
    }


app.conf.beat_schedule = beat_schedule(settings.PERIODIC_TASKS)


@app.task(name="weike.run_django_task")
def run_django_task(task_path: str, args: list, kwargs: dict):
    """Run the django-tasks task at `task_path` with its arguments."""
    django_task = import_string(task_path)
    return django_task.call(*args, **kwargs)
