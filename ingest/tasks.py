"""Background jobs of ingest (thin: the work is in uploads.py)."""

from django_tasks import task


@task()
def cleanup_uploads_task() -> dict:
    """Scheduled (settings.PERIODIC_TASKS): expire abandoned uploads."""
    from .uploads import cleanup_stale

    return cleanup_stale()
