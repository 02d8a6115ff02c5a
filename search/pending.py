"""Marks of index updates that failed (search.models.PendingIndexUpdate).

Written by the engine backends (backends/common.py) when adding or removing a
catalog entry fails, cleared when a later update of that entry succeeds or
the reconcile job has repaired it. A failure here is logged, never raised:
the caller is already handling an engine error.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError

logger = logging.getLogger(__name__)


def _is_entry(obj) -> bool:
    from catalog.models import CatalogEntryPage

    return isinstance(obj, CatalogEntryPage)


def index_name(backend) -> str:
    """The name marks of `backend` go under: its catalog index (alias)."""
    from catalog.models import CatalogEntryPage

    return backend.get_index_for_model(CatalogEntryPage).name


def mark(backend, obj, error: BaseException) -> None:
    from .models import PendingIndexUpdate

    if not _is_entry(obj):
        return
    try:
        PendingIndexUpdate.objects.update_or_create(
            page_id=obj.pk,
            index=index_name(backend),
            defaults={"error": f"{type(error).__name__}: {error}"[:2000]},
        )
    except DatabaseError:
        logger.exception("index update of entry %s not marked pending", obj.pk)


def clear(backend, obj) -> None:
    from .models import PendingIndexUpdate

    if not _is_entry(obj):
        return
    try:
        PendingIndexUpdate.objects.filter(
            page_id=obj.pk, index=index_name(backend)
        ).delete()
    except DatabaseError:
        logger.exception("pending mark of entry %s not cleared", obj.pk)


def pending_ids(backend) -> list[int]:
    from .models import PendingIndexUpdate

    return list(
        PendingIndexUpdate.objects.filter(index=index_name(backend))
        .order_by("page_id")
        .values_list("page_id", flat=True)
    )


def forget(backend, page_ids) -> None:
    from .models import PendingIndexUpdate

    PendingIndexUpdate.objects.filter(
        index=index_name(backend), page_id__in=page_ids
    ).delete()
