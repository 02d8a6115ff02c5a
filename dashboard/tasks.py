"""Background jobs of the dashboard (thin: the work is in dashboard/engine.py)."""

from django_tasks import task


@task()
def sync_quota_entry_task(page_id: int) -> bool:
    from django.conf import settings

    from .engine import QuotaIndex

    if not settings.DASHBOARD_QUOTA_ENGINE_URL:
        return False
    return QuotaIndex().sync_entry(page_id)
