from django_tasks import task

from . import viewcounts


@task()
def flush_view_counts_task() -> int:
    return viewcounts.flush_view_counts()
