"""Background jobs of the media pipeline (thin: the work is in services)."""

from django_tasks import task


@task()
def process_video_task(video_id: int) -> str:
    from .services import process_video

    return process_video(video_id)


@task()
def delete_files_task(names: list[str], prefixes: list[str]) -> int:
    """Stored files of deleted rows, removed after commit (see files.py)."""
    from .files import delete_unclaimed

    return delete_unclaimed(names, prefixes)


@task()
def reconcile_storage_task() -> dict:
    """Scheduled (settings.PERIODIC_TASKS): stored files no row claims."""
    from django.conf import settings

    from .files import reconcile_orphans

    min_age = settings.STORAGE_ORPHAN_MIN_AGE_SECONDS
    # 0 would delete files whose row is not committed yet: list them only.
    return reconcile_orphans(max(min_age, 3600), delete=min_age > 0)
