"""Videos and their renditions (placeholder until the media pipeline lands)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")

    def __str__(self):
        return self.title
