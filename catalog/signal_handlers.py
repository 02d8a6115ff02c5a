"""Keeps tree-derived fields right when pages move; cleans up after deletes.

Wagtail's move saves only the base `Page` row, so a lesson moved to another
subject page (the way its subject is changed) would keep its old subject
until its next save. Quota counts and the search index read those fields, so
they are synced here with a real save (post_save drives index updates).
"""

from django.db.models.signals import post_delete, pre_delete
from wagtail.signals import post_page_move

from . import cleanup
from .models import CatalogEntryPage, LessonPage, SubjectPage


def sync_moved_page(sender, instance, parent_page_after, **kwargs):
    page = instance.specific
    if isinstance(page, CatalogEntryPage):
        page.save(clean=False, update_fields=["stage", "subject"])
    elif isinstance(page, SubjectPage):
        page.save(clean=False, update_fields=["stage"])
        for entry in CatalogEntryPage.objects.child_of(page).specific():
            entry.save(clean=False, update_fields=["stage", "subject"])


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
