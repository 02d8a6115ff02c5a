"""Resumable uploads (tus 1.0) in progress and their outcome."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UploadStatus(models.TextChoices):
    RECEIVING = "receiving", _("receiving")
    COMPLETE = "complete", _("complete")
    DUPLICATE = "duplicate", _("duplicate of an earlier upload")
    REJECTED = "rejected", _("rejected")
    EXPIRED = "expired", _("expired")


class Upload(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("owner"),
    )
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    title = models.CharField(_("title"), max_length=255, blank=True)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    length = models.PositiveBigIntegerField(_("length"))
    offset = models.PositiveBigIntegerField(_("offset"), default=0)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=UploadStatus.choices,
        default=UploadStatus.RECEIVING,
        db_index=True,
    )
    # Where the bytes go: the storage name of the original and, for S3, the
    # multipart upload and the parts sent so far ([{"PartNumber", "ETag"}]).
    storage_name = models.CharField(max_length=500)
    multipart_id = models.CharField(max_length=500, blank=True)
    parts = models.JSONField(default=list, blank=True)
    part_offset = models.PositiveBigIntegerField(
        default=0, help_text="Bytes already sent as completed S3 parts."
    )
    sha256 = models.CharField(max_length=64, blank=True)
    head_checked = models.BooleanField(default=False)
    reason = models.CharField(max_length=40, blank=True)
    video = models.ForeignKey(
        "media_pipeline.Video",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who is writing this upload now (any web host may): a lease in the
    # database, taken and renewed by the request that holds it (uploads.py).
    lease_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")

    def __str__(self):
        return f"{self.filename} ({self.offset}/{self.length})"
