"""The periodic jobs of the embedded mode (`manage.py run_scheduler`).

With a broker, Celery beat queues settings.PERIODIC_TASKS (media_pipeline/
celery_app.py); without one, this loop queues them on the django-tasks
database queue, and the local `db_worker` runs them like any other job.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class Schedule:
    """Which jobs are due: each one interval after the previous run (the first
    one interval after start, as Celery beat does)."""

    def __init__(self, periodic_tasks: dict, now: float):
        self.jobs = {
            name: (path, float(seconds))
            for name, (path, seconds) in periodic_tasks.items()
            if seconds > 0
        }
        self.next_run = {
            name: now + seconds for name, (_p, seconds) in self.jobs.items()
        }

    def due(self, now: float) -> list[str]:
        names = [name for name, at in self.next_run.items() if at <= now]
        for name in names:
            # From now, not from the missed time: no burst after a pause.
            self.next_run[name] = now + self.jobs[name][1]
        return names

    def seconds_to_next(self, now: float) -> float:
        return max(0.0, min(self.next_run.values(), default=60.0) - now)


def enqueue(path: str) -> None:
    import_string(path).enqueue()


def run(
    stop: Callable[[], bool] = lambda: False,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    schedule = Schedule(settings.PERIODIC_TASKS, clock())
    while not stop():
        for name in schedule.due(clock()):
            path = schedule.jobs[name][0]
            try:
                enqueue(path)
            except Exception:  # noqa: BLE001 - the queue may be briefly down
                logger.exception("scheduled job %s not queued", name)
        sleep(min(1.0, schedule.seconds_to_next(clock())))
