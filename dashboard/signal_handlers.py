"""Keeps the quota index in step with the catalog (only when an engine is set).

Every change that can alter a count — publish, unpublish, delete, a move to
another subject page, a quality pick or revoke — reaches the catalog's one
`entry_changed` signal (catalog/signals.py), sent after commit. The task
re-reads the entry, so it indexes the final state whatever the order of
signals, and a repeated signal does no harm.
"""

from django.conf import settings

from catalog.signals import entry_changed


def sync_entries(sender, page_ids, reason, **kwargs):
    if not getattr(settings, "DASHBOARD_QUOTA_ENGINE_URL", ""):
        return
    from .tasks import sync_quota_entry_task

    for page_id in page_ids:
        sync_quota_entry_task.enqueue(page_id)


def register_signal_handlers():
    entry_changed.connect(sync_entries, dispatch_uid="dashboard_entry_changed")
