"""A django-tasks backend that sends tasks through Celery (Redis broker).

Selected in settings when WEIKE_BROKER_URL is set; code keeps calling
`task.enqueue()` and never imports Celery itself.

The message is sent when the current transaction commits (at once outside
one), as the database queue's row would be written with it: a job queued by a
request that then fails and rolls back never runs. (modelsearch, for one,
queues its re-index on post_save, inside the caller's transaction.)
"""

from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id


class CeleryBackend(BaseTaskBackend):
    supports_defer = False
    supports_get_result = False

    def enqueue(self, task, args, kwargs):
        from .celery_app import app

        self.validate_task(task)
        result_id = get_random_id()
        send = partial(self._send, app, task, list(args), dict(kwargs), result_id)
        transaction.on_commit(send)
        result = TaskResult(
            task=task,
            id=result_id,
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        task_enqueued.send(type(self), task_result=result)
        return result

    def _send(self, app, task, args: list, kwargs: dict, result_id: str) -> None:
        broker = self.options.get("BROKER_URL") or settings.BROKER_URL
        with app.connection_for_write(broker) as connection:
            app.send_task(
                "weike.run_django_task",
                args=[task.module_path, args, kwargs],
                task_id=result_id,
                queue=self.options.get("queue", "weike"),
                connection=connection,
            )
