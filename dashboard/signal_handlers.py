"""Keeps the quota index in step with the catalog (only when an engine is set).

Every change that can alter a count — publish, unpublish, delete, a move to
another subject page, a quality pick or revoke — reaches the catalog's one
`entry_changed` signal (catalog/signals.py), sent after commit. The task
re-reads the entry, so it indexes the final state whatever the order of
signals, and a repeated signal does no harm.

A recording counts once (dashboard/recordings.py), so a change to one lesson
can change whether another lesson of the same recording counts: those are
re-read too. A deleted lesson is gone when `entry_changed` arrives, so its
recording's other lessons are noted just before the delete.
"""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import pre_delete

from catalog.models import LessonPage
from catalog.signals import entry_changed

from .recordings import same_recording


def _engine_on() -> bool:
    return bool(getattr(settings, "DASHBOARD_QUOTA_ENGINE_URL", ""))


def _enqueue(page_ids) -> None:
    from .tasks import sync_quota_entry_task

    for page_id in sorted(page_ids):
        sync_quota_entry_task.enqueue(page_id)


def sync_entries(sender, page_ids, reason, **kwargs):
    if not _engine_on():
        return
    _enqueue(set(page_ids) | same_recording(page_ids))


def note_recording_of_deleted_lesson(sender, instance, **kwargs):
    if not _engine_on():
        return
    others = same_recording([instance.pk])
    if others:
        transaction.on_commit(lambda: _enqueue(others))


def register_signal_handlers():
    entry_changed.connect(sync_entries, dispatch_uid="dashboard_entry_changed")
    pre_delete.connect(
        note_recording_of_deleted_lesson,
        sender=LessonPage,
        dispatch_uid="dashboard_recording_of_deleted_lesson",
    )
