"""The fixed axes of the catalog: stage, subject, grade, textbook, place.

They are data (editable in the admin as snippets), not code, because bureaus
add subjects, editions and schools every year.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderedNamed(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class Stage(OrderedNamed):
    """学段: preschool, primary, junior, senior, vocational."""

    class Meta(OrderedNamed.Meta):
        verbose_name = _("stage")
        verbose_name_plural = _("stages")


class Subject(OrderedNamed):
    """学科, taught in one or more stages."""

    stages = models.ManyToManyField(
        Stage, related_name="subjects", verbose_name=_("stages"), blank=True
    )
    synonyms = models.CharField(
        _("synonyms"),
        max_length=200,
        blank=True,
        help_text=_("Other names searchers use, separated by spaces (e.g. 思品 政治)."),
    )

    class Meta(OrderedNamed.Meta):
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")


class Grade(OrderedNamed):
    """年级, belonging to one stage."""

    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="grades", verbose_name=_("stage")
    )

    class Meta(OrderedNamed.Meta):
        verbose_name = _("grade")
        verbose_name_plural = _("grades")


class TextbookEdition(OrderedNamed):
    """教材版本, e.g. 人教版, 北师大版."""

    class Meta(OrderedNamed.Meta):
        verbose_name = _("textbook edition")
        verbose_name_plural = _("textbook editions")


class Textbook(models.Model):
    """One volume (册) of an edition for a subject and grade.

    E.g. 人教版 数学 八年级下册.
    """

    edition = models.ForeignKey(
        TextbookEdition, on_delete=models.PROTECT, verbose_name=_("edition")
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, verbose_name=_("subject")
    )
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, verbose_name=_("grade"))
    volume = models.CharField(
        _("volume"), max_length=40, help_text=_("e.g. 八年级下册")
    )

    class Meta:
        verbose_name = _("textbook")
        verbose_name_plural = _("textbooks")
        ordering = ["subject__sort_order", "grade__sort_order", "volume"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "subject", "volume"], name="unique_textbook_volume"
            )
        ]

    def __str__(self):
        return f"{self.edition} {self.subject} {self.volume}"


class Unit(models.Model):
    """单元/章节 of a textbook; a section is a unit whose parent is another unit."""

    textbook = models.ForeignKey(
        Textbook,
        on_delete=models.CASCADE,
        related_name="units",
        verbose_name=_("textbook"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sections",
        verbose_name=_("parent unit"),
    )
    title = models.CharField(_("title"), max_length=120)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["textbook_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["textbook", "title"], name="unique_unit_title_per_textbook"
            )
        ]

    def __str__(self):
        return f"{self.textbook.volume} {self.title}"


class District(models.Model):
    """区县."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]

    def __str__(self):
        return self.name


class School(models.Model):
    """学校, in one district."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="schools",
        verbose_name=_("district"),
    )
    stages = models.ManyToManyField(Stage, blank=True, verbose_name=_("stages"))

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["district__code", "name"]

    def __str__(self):
        return self.name
