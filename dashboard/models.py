"""年度任务: the bureau's annual quotas, as data edited in the Wagtail admin.

A rule says "in <year>, <scope> must contribute at least <target> resources of
<type> for <stages> and <subject or every subject> [quality picks only]".
How a resource is counted against a rule is in dashboard/services.py and
docs/dashboard.md.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import District, ResourceType, Stage, Subject


class QuotaResourceType(models.TextChoices):
    MICRO_LESSON = "micro_lesson", _("Micro-lessons")
    SYNCHRONOUS = "synchronous", _("Synchronous resources")
    COURSEWARE = "courseware", _("Courseware")
    LESSON_PLAN = "lesson_plan", _("Lesson plans")
    STUDY_GUIDE = "study_guide", _("Study guides")
    EXERCISES = "exercises", _("Exercises")
    GAME_EXAMPLE = "game_example", _("Game examples")

    @classmethod
    def catalog_types(cls, value) -> list[str]:
        """The catalog ResourceType values a rule's type stands for."""
        if value == cls.SYNCHRONOUS:
            return [str(t) for t in ResourceType.synchronous()]
        return [str(value)]


# Chinese names used in the generated labels (the bureau's own words).
TYPE_LABELS_ZH = {
    "micro_lesson": "微课",
    "synchronous": "同步教学资源",
    "courseware": "课件",
    "lesson_plan": "教案",
    "study_guide": "学案",
    "exercises": "习题",
    "game_example": "经典游戏范例",
}


class QuotaRule(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
        help_text=_("Leave empty for a city-wide quota."),
    )
    stages = models.ManyToManyField(Stage, related_name="+", verbose_name=_("stages"))
    subject = models.ForeignKey(
        Subject,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subject"),
        help_text=_("Leave empty for all subjects."),
    )
    resource_type = models.CharField(
        _("resource type"), max_length=20, choices=QuotaResourceType.choices
    )
    quality_only = models.BooleanField(
        _("quality picks only"),
        default=False,
        help_text=_("Count only quality picks, in the year they were designated."),
    )
    target = models.PositiveIntegerField(_("target"))
    label = models.CharField(
        _("label"),
        max_length=120,
        blank=True,
        help_text=_("Generated from the rule when left empty."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("annual quota")
        verbose_name_plural = _("annual quotas")
        ordering = ["year", "sort_order", "id"]

    def __str__(self):
        return f"{self.year} {self.display_label}"

    def clean(self):
        super().clean()
        if self.subject_id and self.pk:
            taught = set(self.subject.stages.values_list("pk", flat=True))
            if not taught & set(self.stages.values_list("pk", flat=True)):
                raise ValidationError(
                    {"subject": _("The subject is not taught in these stages.")}
                )

    @property
    def display_label(self) -> str:
        return self.label or self.generated_label()

    def generated_label(self, stages=None) -> str:
        """E.g. "小学 语文 同步教学资源 ≥300", "初高中 精品微课 ≥1800"."""
        if stages is None:
            stages = list(self.stages.all()) if self.pk else []
        codes = {s.code for s in stages}
        if codes == {"junior", "senior"}:
            stage_text = "初高中"
        else:
            stage_text = "、".join(s.name for s in sorted(stages, key=_stage_order))
        type_text = TYPE_LABELS_ZH.get(self.resource_type, self.resource_type)
        if self.quality_only:
            type_text = "精品" + type_text
        parts = [self.district.name] if self.district_id else []
        parts += [stage_text] if stage_text else []
        parts += [self.subject.name] if self.subject_id else []
        parts.append(type_text)
        return f"{' '.join(parts)} ≥{self.target}"

    def catalog_types(self) -> list[str]:
        return QuotaResourceType.catalog_types(self.resource_type)


def _stage_order(stage):
    return (stage.sort_order, stage.pk)
