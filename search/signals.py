"""Re-index an entry once it is published, after its tags and knowledge points
are saved: modelsearch's own post_save hook fires before modelcluster writes
those child rows. The update runs as a task after commit, so a publish never
waits for, or fails because of, the search engine."""

from django.db import transaction
from modelsearch.tasks import insert_or_update_object_task
from wagtail.signals import page_published


def _reindex_on_publish(sender, instance, **kwargs):
    from catalog.models import CatalogEntryPage

    if not isinstance(instance, CatalogEntryPage):
        return
    args = (instance._meta.app_label, instance._meta.model_name, str(instance.pk))
    transaction.on_commit(lambda: insert_or_update_object_task.enqueue(*args))


def connect():
    page_published.connect(_reindex_on_publish, dispatch_uid="search-reindex")
