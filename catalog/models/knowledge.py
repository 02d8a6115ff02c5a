"""知识点: the knowledge tree each lesson is attached to.

A knowledge point is identified by a stable `code` that survives textbook
revisions and editions; where it is taught in a given edition is a separate
placement (edition → textbook unit). The tree is an adjacency list plus a
materialised `path` of primary keys, so "this point and all its descendants"
is one indexed prefix query (coverage counts depend on it).
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from ..knowledge_paths import PATH_SEP, path_ids
from .taxonomy import Grade, Stage, Subject, TextbookEdition, Unit


class KnowledgePointQuerySet(models.QuerySet):
    def descendants_of(self, point, include_self=True):
        qs = self.filter(path__startswith=point.path)
        return qs if include_self else qs.exclude(pk=point.pk)

    def roots(self):
        return self.filter(parent__isnull=True)


class KnowledgePoint(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, verbose_name=_("stage"))
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, verbose_name=_("subject")
    )
    grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("grade")
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    # "/<root pk>/<child pk>/.../<own pk>/", maintained by save(); never edited.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=1)

    objects = KnowledgePointQuerySet.as_manager()

    class Meta:
        verbose_name = _("knowledge point")
        verbose_name_plural = _("knowledge points")
        ordering = ["path"]
        indexes = [models.Index(fields=["subject", "stage", "grade"])]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        if self.parent_id and self.pk:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    raise ValidationError(
                        {"parent": _("A knowledge point cannot be its own ancestor.")}
                    )
                ancestor = ancestor.parent

    def _computed_path(self) -> str:
        prefix = self.parent.path if self.parent_id else PATH_SEP
        return f"{prefix}{self.pk}{PATH_SEP}"

    @transaction.atomic
    def save(self, *args, **kwargs):
        old_path = self.path
        super().save(*args, **kwargs)
        new_path = self._computed_path()
        if new_path != old_path:
            self.path = new_path
            self.depth = new_path.count(PATH_SEP) - 1
            KnowledgePoint.objects.filter(pk=self.pk).update(
                path=self.path, depth=self.depth
            )
            if old_path:
                self._move_descendants(old_path, new_path)

    def _move_descendants(self, old_path, new_path):
        for child in KnowledgePoint.objects.filter(path__startswith=old_path).exclude(
            pk=self.pk
        ):
            child.path = new_path + child.path[len(old_path) :]
            child.depth = child.path.count(PATH_SEP) - 1
            KnowledgePoint.objects.filter(pk=child.pk).update(
                path=child.path, depth=child.depth
            )

    def ancestors(self):
        """Root first, self excluded."""
        ids = path_ids(self.path)[:-1]
        by_id = KnowledgePoint.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    @property
    def path_names(self) -> str:
        return " › ".join([a.name for a in self.ancestors()] + [self.name])


class KnowledgePointPlacement(models.Model):
    """Where a knowledge point is taught in one edition's textbook."""

    knowledge_point = models.ForeignKey(
        KnowledgePoint, on_delete=models.CASCADE, related_name="placements"
    )
    edition = models.ForeignKey(
        TextbookEdition, on_delete=models.PROTECT, verbose_name=_("edition")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("unit")
    )

    class Meta:
        verbose_name = _("placement in a textbook")
        verbose_name_plural = _("placements in textbooks")
        constraints = [
            models.UniqueConstraint(
                fields=["knowledge_point", "edition"], name="unique_kp_edition"
            )
        ]

    def __str__(self):
        return f"{self.knowledge_point.code} @ {self.edition}"
