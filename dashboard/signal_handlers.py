"""Keeps the quota index in step with the catalog (only when an engine is set).

Every change that can alter a count ends in one of these signals: publish,
unpublish, delete, any save of an entry (a move to another subject page saves
the entry, see catalog/signal_handlers.py) and a quality decision (designate or
revoke writes an alliance.QualityDecision row, then updates the flag with a
queryset update). The task re-reads the entry after commit, so it indexes the
final state whatever the order of signals.
"""

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from catalog.models import CatalogEntryPage


def _enqueue(page_id):
    if not page_id or not getattr(settings, "DASHBOARD_QUOTA_ENGINE_URL", ""):
        return
    from .tasks import sync_quota_entry_task

    transaction.on_commit(lambda: sync_quota_entry_task.enqueue(page_id))


def _entry_changed(sender, instance, **kwargs):
    if isinstance(instance, CatalogEntryPage):
        _enqueue(instance.pk)


def _decision_saved(sender, instance, **kwargs):
    _enqueue(getattr(instance, "page_id", None))


def register_signal_handlers():
    page_published.connect(_entry_changed, dispatch_uid="dashboard_published")
    page_unpublished.connect(_entry_changed, dispatch_uid="dashboard_unpublished")
    post_save.connect(_entry_changed, dispatch_uid="dashboard_entry_saved")
    post_delete.connect(_entry_changed, dispatch_uid="dashboard_entry_deleted")
    if apps.is_installed("alliance"):
        try:
            decision = apps.get_model("alliance", "QualityDecision")
        except LookupError:
            return
        post_save.connect(
            _decision_saved, sender=decision, dispatch_uid="dashboard_decision"
        )
