"""Wagtail's and Django's signals, translated into the catalog's one
`entry_changed` (catalog/signals.py), plus tree-derived fields on a move.

Where Wagtail's own signals are the only hook (publish and unpublish from the
admin or a command, a move, a delete) and for the taxonomy rows whose names
the search documents carry, this is the one receiver; search, the quota index
and the site cache subscribe to `entry_changed`, not to these. Deleted pages
also leave no unused video or document behind (catalog/cleanup.py).

Wagtail's move saves only the base `Page` row, so a lesson moved to another
subject page (the way its subject is changed) would keep its old subject until
its next save: stage and subject are synced here first.
"""

from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import cleanup
from .models import (
    CatalogEntryPage,
    District,
    Grade,
    KnowledgePoint,
    LessonPage,
    School,
    Stage,
    Subject,
    SubjectPage,
    TextbookEdition,
)
from .signals import announce


def sync_moved_page(sender, instance, parent_page_after, **kwargs):
    page = instance.specific
    if isinstance(page, CatalogEntryPage):
        page.save(clean=False, update_fields=["stage", "subject"])
        announce([page.pk], "move")
    elif isinstance(page, SubjectPage):
        page.save(clean=False, update_fields=["stage"])
        moved = []
        for entry in CatalogEntryPage.objects.child_of(page).specific():
            entry.save(clean=False, update_fields=["stage", "subject"])
            moved.append(entry.pk)
        announce(moved, "move")


def _published(sender, instance, **kwargs):
    if isinstance(instance, CatalogEntryPage):
        announce([instance.pk], "publish")


def _unpublished(sender, instance, **kwargs):
    if isinstance(instance, CatalogEntryPage):
        announce([instance.pk], "unpublish")


def _deleted(sender, instance, **kwargs):
    announce([instance.pk], "delete")


def _knowledge_point_saved(sender, instance, created, **kwargs):
    # Entries carry the names and ids of their points *and their ancestors*
    # (search documents, quota facets): a rename or a move of a point changes
    # every entry on it or on any point below it. post_save runs before
    # KnowledgePoint.save rewrites the paths, so the stored (old) path still
    # finds the subtree. A new point has no entries yet (and no path).
    if created or not instance.path:
        return
    through = CatalogEntryPage.knowledge_points.through
    points = KnowledgePoint.objects.filter(path__startswith=instance.path)
    ids = (
        through.objects.filter(knowledgepoint__in=points)
        .values_list("catalogentrypage_id", flat=True)
        .distinct()
    )
    announce(ids, "knowledge_point")


# Taxonomy rows whose names go into the entries' search documents, and the
# entry field that points at each.
_TAXONOMY = {
    Stage: "stage",
    Subject: "subject",
    Grade: "grade",
    TextbookEdition: "edition",
    District: "district",
    School: "school",
}


def _taxonomy_saved(sender, instance, created, **kwargs):
    if created:
        return  # no entry points at a new row yet
    field = _TAXONOMY[sender]
    ids = CatalogEntryPage.objects.filter(**{field: instance}).values_list(
        "pk", flat=True
    )
    announce(ids, "taxonomy")


# Cleanup after a page is deleted (whatever deletes it: the admin, a command).
# What it named is read before the delete (its attachments and revisions go
# with it); the unused videos and documents are deleted in the same
# transaction, and their files only after it commits.


def note_lesson_videos(sender, instance, **kwargs):
    instance._named_videos = cleanup.videos_named_by(instance)


def delete_lesson_videos(sender, instance, **kwargs):
    named = getattr(instance, "_named_videos", {instance.video_id} - {None})
    cleanup.delete_unused_videos(named, instance.pk)


def note_entry_documents(sender, instance, **kwargs):
    instance._named_documents = cleanup.documents_named_by(instance)


def delete_entry_documents(sender, instance, **kwargs):
    named = getattr(instance, "_named_documents", set())
    cleanup.delete_unused_documents(named, instance.pk)


def register_signal_handlers():
    post_page_move.connect(sync_moved_page, dispatch_uid="catalog_sync_moved_page")
    pre_delete.connect(
        note_lesson_videos, sender=LessonPage, dispatch_uid="catalog_note_videos"
    )
    post_delete.connect(
        delete_lesson_videos, sender=LessonPage, dispatch_uid="catalog_videos"
    )
    pre_delete.connect(
        note_entry_documents, sender=CatalogEntryPage, dispatch_uid="catalog_note_docs"
    )
    post_delete.connect(
        delete_entry_documents, sender=CatalogEntryPage, dispatch_uid="catalog_docs"
    )
    page_published.connect(_published, dispatch_uid="catalog_entry_published")
    page_unpublished.connect(_unpublished, dispatch_uid="catalog_entry_unpublished")
    post_delete.connect(
        _deleted, sender=CatalogEntryPage, dispatch_uid="catalog_entry_deleted"
    )
    post_save.connect(
        _knowledge_point_saved,
        sender=KnowledgePoint,
        dispatch_uid="catalog_knowledge_point_saved",
    )
    for model in _TAXONOMY:
        post_save.connect(
            _taxonomy_saved, sender=model, dispatch_uid=f"catalog_taxonomy_{model}"
        )
