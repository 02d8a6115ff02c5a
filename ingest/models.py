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


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("running")
    FINISHED = "finished", _("finished")
    FAILED = "failed", _("failed")


class LibraryImport(models.Model):
    """One real run of `import_library` (dry runs write nothing), for the
    progress page in the admin."""

    source = models.CharField(_("source"), max_length=500)
    sheet = models.CharField(_("sheet"), max_length=255)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ImportStatus.choices,
        default=ImportStatus.RUNNING,
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    skipped = models.PositiveIntegerField(_("already imported"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    report = models.JSONField(_("report"), default=list, blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("library import")
        verbose_name_plural = _("library imports")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.sheet} ({self.processed}/{self.total})"

    @property
    def percent(self) -> int:
        return round(100 * self.processed / self.total) if self.total else 100


class ImportedRow(models.Model):
    """The manifest: a sheet row done, keyed by its row number and the hash of
    its metadata and files. A re-run (after a crash, or the same sheet again)
    skips every row found here."""

    row_number = models.PositiveIntegerField(_("row"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    page_id = models.PositiveBigIntegerField(_("page id"), null=True)
    video_id = models.PositiveBigIntegerField(_("video id"), null=True)
    run = models.ForeignKey(
        LibraryImport,
        on_delete=models.SET_NULL,
        null=True,
        related_name="rows",
        verbose_name=_("library import"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        constraints = [
            models.UniqueConstraint(
                fields=["row_number", "content_hash"], name="unique_imported_row"
            )
        ]

    def __str__(self):
        return f"{self.row_number} {self.content_hash[:12]}"
