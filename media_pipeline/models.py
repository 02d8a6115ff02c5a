"""Videos and their renditions, modelled on Wagtail's images and renditions.

A Video holds the original (kept while the row lives, dropped when the video
is rejected: files follow their rows, see files.py) and the facts ffprobe
found; each VideoRendition is one rung of the ladder, unique per (video,
profile), found or created by `Video.get_rendition()`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import rules


class VideoStatus(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded")
    PROBING = "probing", _("probing")
    TRANSCODING = "transcoding", _("transcoding")
    READY = "ready", _("ready")
    REJECTED = "rejected", _("rejected")
    FAILED = "failed", _("failed")


class RenditionStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    RUNNING = "running", _("running")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


def rendition_upload_to(instance, filename):
    return f"renditions/{instance.video_id}/{filename}"


def derivative_upload_to(instance, filename):
    return f"renditions/{instance.pk}/{filename}"


class Video(models.Model):
    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("original file"), upload_to="originals/%Y/%m/")
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    duration = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    original_filename = models.CharField(
        _("original file name"), max_length=255, blank=True
    )
    file_size = models.PositiveBigIntegerField(_("file size"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=VideoStatus.choices,
        default=VideoStatus.UPLOADED,
        db_index=True,
    )
    reason = models.CharField(
        _("reason code"),
        max_length=40,
        choices=rules.Reason.choices,
        blank=True,
        help_text=_("Why the video was rejected or why the job failed."),
    )
    reason_detail = models.TextField(_("reason detail"), blank=True)
    # The rejection's numbers (size, rate, limit), so the stored message shows
    # them rather than the template's placeholders.
    reason_params = models.JSONField(_("reason parameters"), default=dict, blank=True)
    retriable = models.BooleanField(_("retriable"), default=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    progress = models.FloatField(_("progress (%)"), default=0)
    # Until when the run processing the video holds it (services.process_video).
    lease_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("duplicate of"),
    )

    # Perceptual hashes of sampled frames (fingerprint.py): near duplicates.
    frame_hashes = models.JSONField(_("frame hashes"), default=dict, blank=True)

    # Facts found by ffprobe (by content, never by extension).
    container = models.CharField(_("container"), max_length=100, blank=True)
    video_codec = models.CharField(_("video codec"), max_length=40, blank=True)
    audio_codec = models.CharField(_("audio codec"), max_length=40, blank=True)
    frame_rate = models.FloatField(_("frame rate"), null=True, blank=True)
    bit_rate = models.PositiveBigIntegerField(_("bit rate"), null=True, blank=True)
    rotation = models.SmallIntegerField(_("rotation"), default=0)
    probe = models.JSONField(_("probe facts"), default=dict, blank=True)

    # Derivatives made alongside the renditions.
    poster_jpeg = models.FileField(upload_to=derivative_upload_to, blank=True)
    poster_webp = models.FileField(upload_to=derivative_upload_to, blank=True)
    thumbnail_jpeg = models.FileField(upload_to=derivative_upload_to, blank=True)
    thumbnail_webp = models.FileField(upload_to=derivative_upload_to, blank=True)
    storyboard = models.FileField(upload_to=derivative_upload_to, blank=True)
    storyboard_interval = models.PositiveIntegerField(null=True, blank=True)
    hls_master = models.FileField(upload_to=derivative_upload_to, blank=True)

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def reason_message(self) -> str:
        """Why the video was refused, in the active language ("" if it wasn't)."""
        if not self.reason:
            return ""
        return rules.message(self.reason, **(self.reason_params or {}))

    def get_rendition(self, profile: str) -> "VideoRendition":
        """Find or create the rendition row for a profile (never duplicates)."""
        rendition, _created = VideoRendition.objects.get_or_create(
            video=self, profile=profile
        )
        return rendition


class VideoRendition(models.Model):
    video = models.ForeignKey(
        Video,
        on_delete=models.CASCADE,
        related_name="renditions",
        verbose_name=_("video"),
    )
    profile = models.CharField(_("profile"), max_length=20)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RenditionStatus.choices,
        default=RenditionStatus.PENDING,
    )
    progress = models.FloatField(_("progress (%)"), default=0)
    log = models.TextField(_("log"), blank=True)
    file = models.FileField(_("MP4 file"), upload_to=rendition_upload_to, blank=True)
    hls_playlist = models.FileField(
        _("HLS playlist"), upload_to=rendition_upload_to, blank=True
    )
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    copied = models.BooleanField(
        _("copied from source"),
        default=False,
        help_text=_("The source was already compliant H.264/AAC and was copied."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("video rendition")
        verbose_name_plural = _("video renditions")
        constraints = [
            models.UniqueConstraint(
                fields=["video", "profile"], name="unique_rendition_per_profile"
            )
        ]

    def __str__(self):
        return f"{self.video} · {self.profile}"


class VideoCaption(models.Model):
    """A text subtitle track of the upload, as WebVTT beside the renditions;
    at AUTHOR_POSITION, the caption file the lesson's author uploaded."""

    # Extracted tracks are numbered from 0; the author's track is never one.
    AUTHOR_POSITION = 1000

    video = models.ForeignKey(
        Video,
        on_delete=models.CASCADE,
        related_name="captions",
        verbose_name=_("video"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    language = models.CharField(_("language"), max_length=16)  # BCP 47, "und"
    label = models.CharField(_("label"), max_length=100)
    default = models.BooleanField(_("default"), default=False)
    file = models.FileField(_("WebVTT file"), upload_to=rendition_upload_to)

    class Meta:
        verbose_name = _("caption track")
        verbose_name_plural = _("caption tracks")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["video", "position"], name="unique_caption_per_position"
            )
        ]

    def __str__(self):
        return f"{self.video} · {self.label}"
