"""Invalidate the site's cached fragments when the published catalog changes."""

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished

from .cache import bump_catalog_version


def _bump(sender, **kwargs):
    bump_catalog_version()


def connect():
    page_published.connect(_bump, dispatch_uid="portal-bump-on-publish")
    page_unpublished.connect(_bump, dispatch_uid="portal-bump-on-unpublish")
    from wagtail.models import Page

    # Deleting a live page does not send page_unpublished.
    post_delete.connect(_bump, sender=Page, dispatch_uid="portal-bump-on-delete")
