"""What the OAI-PMH data provider remembers about the entries it exposed.

One row per catalog entry that has ever been published (`ExposedEntry`): when
its record last changed and under which set. A row whose entry is no longer
published and public is a *tombstone*: harvesters are told the record was
deleted (`deletedRecord=persistent`). Rows are written by the `entry_changed`
receiver (exchange/signal_handlers.py), never by a model signal, and keep the
set the entry had, since a deleted page can no longer be read.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExposedEntry(models.Model):
    # Not a foreign key: the row outlives the page (that is its point).
    page_id = models.PositiveBigIntegerField(_("page id"), unique=True)
    datestamp = models.DateTimeField(_("datestamp"), db_index=True)
    withdrawn = models.BooleanField(
        _("withdrawn"),
        default=False,
        help_text=_("Unpublished or deleted: harvesters are told it was deleted."),
    )
    set_spec = models.CharField(_("set"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("exposed entry")
        verbose_name_plural = _("exposed entries")

    def __str__(self):
        return f"{self.page_id} ({self.set_spec})"
