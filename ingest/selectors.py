"""Read-only queries of uploads."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from .models import Upload, UploadStatus


def open_uploads(owner) -> QuerySet[Upload]:
    """The owner's uploads still receiving bytes and not idle past expiry
    (an idle one is expired by cleanup_uploads; it no longer holds a slot)."""
    cutoff = timezone.now() - datetime.timedelta(hours=settings.UPLOAD_EXPIRE_HOURS)
    return Upload.objects.filter(
        owner=owner, status=UploadStatus.RECEIVING, updated_at__gte=cutoff
    )


def open_usage(owner) -> tuple[int, int]:
    """(number of open uploads, sum of their declared lengths) of the owner."""
    usage = open_uploads(owner).aggregate(count=Count("pk"), reserved=Sum("length"))
    return usage["count"], usage["reserved"] or 0
