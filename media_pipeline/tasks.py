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
