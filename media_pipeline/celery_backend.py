"""A django-tasks backend that sends tasks through Celery (Redis broker).

Selected in settings when WEIKE_BROKER_URL is set; code keeps calling
`task.enqueue()` and never imports Celery itself.
"""

from django.conf import settings
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
        broker = self.options.get("BROKER_URL") or settings.BROKER_URL
        with app.connection_for_write(broker) as connection:
            app.send_task(
                "weike.run_django_task",
                args=[task.module_path, list(args), dict(kwargs)],
                task_id=result_id,
                queue=self.options.get("queue", "weike"),
                connection=connection,
            )
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
