"""The quality-pick state of an entry (精品), as its own record.

It used to be three page fields; pages are revisioned, so every publish wrote
a stale copy of the flag back and had to be repaired. A row here exists while
the entry is a pick and is written only by catalog.lifecycle.pick/revoke; the
history of decisions (who, when, why) is alliance.QualityDecision.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _


class QualityPick(models.Model):
    page = models.OneToOneField(
        "catalog.CatalogEntryPage",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="quality_pick",
        verbose_name=_("entry"),
    )
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quality pick designated by"),
    )
    picked_at = models.DateTimeField(_("quality pick designated at"), db_index=True)

    class Meta:
        verbose_name = _("quality pick")
        verbose_name_plural = _("quality picks")

    def __str__(self):
        return f"{self.page_id} @ {self.picked_at:%Y-%m-%d}"


def quality_flag():
    """`is_quality_pick` as a query expression, for annotate() and values():
    `entries.annotate(is_quality_pick=quality_flag())` also fills the page's
    `is_quality_pick` without a query per page."""
    return Exists(QualityPick.objects.filter(page_id=OuterRef("pk")))
