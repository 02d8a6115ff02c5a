"""Background jobs of the media pipeline (thin: the work is in services).

Each task is defined beside the work it runs (services.process_video_task,
files.delete_files_task), so the modules that queue them never import this
one and this one imports them: no cycle. Listed here to be found in one place;
the scheduled storage reconcile is queued only by the scheduler, by name.
"""

from django.conf import settings
from django_tasks import task

from .files import delete_files_task, reconcile_orphans
from .services import process_video_task

__all__ = ["delete_files_task", "process_video_task", "reconcile_storage_task"]


@task()
def reconcile_storage_task() -> dict:
    """Scheduled (settings.PERIODIC_TASKS): stored files no row claims."""
    min_age = settings.STORAGE_ORPHAN_MIN_AGE_SECONDS
    # 0 would delete files whose row is not committed yet: list them only.
    return reconcile_orphans(max(min_age, 3600), delete=min_age > 0)
