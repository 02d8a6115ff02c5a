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


class HarvestSource(models.Model):
    """Another OAI-PMH repository (a provincial library) we harvest LOM from."""

    name = models.SlugField(_("name"), max_length=60, unique=True)
    base_url = models.URLField(_("base URL"), max_length=500)
    metadata_prefix = models.CharField(
        _("metadata prefix"), max_length=40, default="lom"
    )
    set_spec = models.CharField(_("set"), max_length=200, blank=True)
    # The responseDate of the last complete harvest: the next one asks from it.
    last_harvested = models.CharField(_("harvested until"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("harvest source")
        verbose_name_plural = _("harvest sources")

    def __str__(self):
        return self.name


class MappingKind(models.TextChoices):
    STAGE = "stage", _("stage")
    SUBJECT = "subject", _("subject")
    GRADE = "grade", _("grade")
    KNOWLEDGE_POINT = "knowledge_point", _("knowledge point")
    RESOURCE_TYPE = "resource_type", _("resource type")


class TaxonomyMapping(models.Model):
    """A remote term (taxon id or name) and the local code it stands for.

    Unmapped terms are tried as local codes, then as local names."""

    source = models.ForeignKey(
        HarvestSource,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mappings",
        verbose_name=_("source"),
        help_text=_("Empty: for every source."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MappingKind.choices)
    remote = models.CharField(_("remote term"), max_length=200)
    local = models.CharField(_("local code"), max_length=64)

    class Meta:
        verbose_name = _("taxonomy mapping")
        verbose_name_plural = _("taxonomy mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "remote"], name="unique_taxonomy_mapping"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.remote} → {self.local}"


class HarvestStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    UNMAPPED = "unmapped", _("not mapped")
    DELETED = "deleted", _("deleted at the source")


class HarvestedRecord(models.Model):
    """One remote record, mapped to our taxonomy, queued for its media."""

    source = models.ForeignKey(
        HarvestSource, on_delete=models.CASCADE, related_name="records"
    )
    identifier = models.CharField(_("identifier"), max_length=300)
    datestamp = models.CharField(_("datestamp"), max_length=20)
    status = models.CharField(_("status"), max_length=20, choices=HarvestStatus.choices)
    title = models.CharField(_("title"), max_length=255, blank=True)
    metadata = models.JSONField(_("mapped metadata"), default=dict, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    media_url = models.URLField(_("media URL"), max_length=1000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("harvested record")
        verbose_name_plural = _("harvested records")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "identifier"], name="unique_harvested_record"
            )
        ]

    def __str__(self):
        return self.title or self.identifier
