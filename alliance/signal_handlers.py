"""Signal receivers: notifications and flag repair on publish.

(catalog.signal_handlers keeps stage/subject in sync when a page moves.)
"""

from wagtail.models import TaskState
from wagtail.signals import page_published, task_submitted

from catalog.models import CatalogEntryPage


def _restore_quality_flag(sender, instance, **kwargs):
    from .services import reapply_quality_flag

    if isinstance(instance, CatalogEntryPage):
        reapply_quality_flag(instance.pk)


def _bump_site_cache(sender, **kwargs):
    # The public site caches fragments by a catalog version bumped on publish;
    # collections and quality flags change without a publish, so bump it too.
    try:
        from portal.cache import bump_catalog_version
    except ImportError:
        return
    bump_catalog_version()


def register_signal_handlers():
    from django.db.models.signals import post_delete, post_save

    from .models import FeaturedCollection, FeaturedCollectionItem, QualityDecision

    for model in (FeaturedCollection, FeaturedCollectionItem, QualityDecision):
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
    page_published.connect(
        _restore_quality_flag, dispatch_uid="alliance_restore_quality_flag"
    )
