"""Signal receivers: notifications, and the site cache for collections.

(The quality pick is the catalog's record now, and its changes reach search,
quotas and the site through catalog.signals.entry_changed.)
"""

from wagtail.models import TaskState
from wagtail.signals import task_submitted


def _bump_site_cache(sender, **kwargs):
    # The public site caches fragments by a catalog version bumped when an
    # entry changes; collections change without one, so bump it here too.
    try:
        from portal.cache import bump_catalog_version
    except ImportError:
        return
    bump_catalog_version()


def register_signal_handlers():
    from django.db.models.signals import post_delete, post_save

    from .models import FeaturedCollection, FeaturedCollectionItem

    for model in (FeaturedCollection, FeaturedCollectionItem):
        post_save.connect(
            _bump_site_cache, sender=model, dispatch_uid=f"alliance_bump_{model}"
        )
        post_delete.connect(
            _bump_site_cache, sender=model, dispatch_uid=f"alliance_bump_d_{model}"
        )
    from .notifications import notify_task_submitted

    task_submitted.connect(
        notify_task_submitted,
        sender=TaskState,
        dispatch_uid="alliance_subject_review_submitted",
    )
