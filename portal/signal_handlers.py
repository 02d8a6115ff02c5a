"""Invalidate the site's cached fragments when the published catalog changes.

Entries: the catalog's one `entry_changed` signal (publish, unpublish, move,
delete, quality pick and revoke, renames). The tree above them (home, stage
and subject pages) is not an entry: its publishes and deletes bump directly.
Featured collections (alliance) change without an entry changing: the site
watches their rows here, so the alliance needs no arrow up to the site.
"""

from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from catalog.signals import entry_changed

from .cache import bump_catalog_version


def _bump(sender, **kwargs):
    bump_catalog_version()


def _bump_for_tree_page(sender, instance, **kwargs):
    from catalog.models import CatalogEntryPage

    # A deleted entry arrives here as its base Page row too: ask its type.
    specific_class = getattr(instance, "specific_class", None) or type(instance)
    if not issubclass(specific_class, CatalogEntryPage):
        bump_catalog_version()


def _sync_captions(sender, instance, **kwargs):
    from .workspace_services import sync_published_captions

    sync_published_captions(instance)


def connect():
    from alliance.models import FeaturedCollection, FeaturedCollectionItem
    from catalog.models import LessonPage

    entry_changed.connect(_bump, dispatch_uid="portal-bump-on-entry-changed")
    for model in (FeaturedCollection, FeaturedCollectionItem):
        name = model.__name__
        post_save.connect(_bump, sender=model, dispatch_uid=f"portal-bump-{name}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"portal-bump-d-{name}")
    page_published.connect(_bump_for_tree_page, dispatch_uid="portal-bump-on-publish")
    # The author's caption track follows the published version (the workspace).
    page_published.connect(
        _sync_captions, sender=LessonPage, dispatch_uid="portal-captions-on-publish"
    )
    page_unpublished.connect(
        _bump_for_tree_page, dispatch_uid="portal-bump-on-unpublish"
    )
    from wagtail.models import Page

    # Deleting a live page does not send page_unpublished.
    post_delete.connect(
        _bump_for_tree_page, sender=Page, dispatch_uid="portal-bump-on-delete"
    )
