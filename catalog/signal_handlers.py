"""Keeps tree-derived fields right when pages move.

Wagtail's move saves only the base `Page` row, so a lesson moved to another
subject page (the way its subject is changed) would keep its old subject
until its next save. Quota counts and the search index read those fields, so
they are synced here with a real save (post_save drives index updates).
"""

from wagtail.signals import post_page_move

from .models import CatalogEntryPage, SubjectPage


def sync_moved_page(sender, instance, parent_page_after, **kwargs):
    page = instance.specific
    if isinstance(page, CatalogEntryPage):
        page.save(clean=False, update_fields=["stage", "subject"])
    elif isinstance(page, SubjectPage):
        page.save(clean=False, update_fields=["stage"])
        for entry in CatalogEntryPage.objects.child_of(page).specific():
            entry.save(clean=False, update_fields=["stage", "subject"])


def register_signal_handlers():
    post_page_move.connect(sync_moved_page, dispatch_uid="catalog_sync_moved_page")
