"""Keeps the search indexes in step with the catalog: one subscriber to
catalog.signals.entry_changed (publish, unpublish, move, quality pick and
revoke, knowledge-point and taxonomy renames), sent after commit.

Each entry is re-indexed by a task (modelsearch's insert_or_update_object on
every auto-updated backend, database or engine), so a change never waits for,
or fails because of, the search engine; the task re-reads the entry, so a
repeated signal does no harm. modelsearch's own post_delete hook removes the
documents of deleted entries; reconcile_search_index repairs what stayed
behind when an engine was down.
"""

from modelsearch.tasks import insert_or_update_object_task

from catalog.signals import entry_changed


def reindex_entries(sender, page_ids, reason, **kwargs):
    from catalog.models import CatalogEntryPage

    rows = CatalogEntryPage.objects.filter(pk__in=page_ids).values_list(
        "pk", "content_type__app_label", "content_type__model"
    )
    for pk, app_label, model_name in rows:
        insert_or_update_object_task.enqueue(app_label, model_name, str(pk))


def request_vocabulary(sender=None, **kwargs):
    """Rebuild the "did you mean" vocabulary in the background; searches
    keep the last one meanwhile (search/did_you_mean.py)."""
    from django.utils import timezone

    from .tasks import rebuild_vocabulary_task

    rebuild_vocabulary_task.enqueue(timezone.now().isoformat())


def connect():
    from django.db.models.signals import post_delete, post_save

    from . import did_you_mean, facet_labels
    from .models import SearchSynonym
    from .synonyms import forget

    entry_changed.connect(reindex_entries, dispatch_uid="search-entry-changed")
    # Facet labels are kept per process: a taxonomy rename reaches them all.
    entry_changed.connect(facet_labels.forget, dispatch_uid="search-facet-labels")
    # The "did you mean" vocabulary is read from live entries and their
    # points: rebuilt by a background task, the last one serving meanwhile.
    entry_changed.connect(request_vocabulary, dispatch_uid="search-vocabulary")
    did_you_mean.vocabulary_wanted.connect(
        request_vocabulary, dispatch_uid="search-vocabulary-wanted"
    )
    # An edited synonym applies to the next search (the table is cached).
    for signal in (post_save, post_delete):
        signal.connect(forget, sender=SearchSynonym, dispatch_uid="search-synonyms")
