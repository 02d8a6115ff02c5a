"""Chapter marks of a lesson: where in the video each of its knowledge points starts.

A chapter links one of the lesson's own knowledge points to a start time in
seconds. The author sets them in the admin (an inline on the lesson page); the
site shows them as marks on the seek bar and as a list under the player.

The knowledge-point link itself stays a plain M2M (`CatalogEntryPage.
knowledge_points`, shared with resources, which have no video): a chapter is a
separate row that must name one of those points, and start inside the video.
One rule, `chapter_rules.chapter_errors`, checks both the admin form (against
the points and video the form carries) and `LessonChapter.clean` (against the
saved page).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable

from ..chapter_rules import chapter_errors
from .knowledge import KnowledgePoint


class LessonChapter(Orderable):
    page = ParentalKey(
        "catalog.LessonPage", on_delete=models.CASCADE, related_name="chapters"
    )
    knowledge_point = models.ForeignKey(
        KnowledgePoint,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("knowledge point"),
    )
    start_seconds = models.PositiveIntegerField(
        _("starts at (seconds)"),
        help_text=_("Seconds from the start of the video, e.g. 75 for 1:15."),
    )

    panels = [FieldPanel("knowledge_point"), FieldPanel("start_seconds")]

    class Meta(Orderable.Meta):
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")

    def __str__(self):
        minutes, seconds = divmod(self.start_seconds or 0, 60)
        return f"{minutes}:{seconds:02d} {self.knowledge_point}"

    # Set by the lesson's admin form, which checks its chapters itself against
    # the points and video it carries: the saved page may hold older ones.
    checked_by_page_form = False

    def clean(self):
        super().clean()
        if self.checked_by_page_form:
            return
        page = self.page
        video = getattr(page, "video", None)
        errors = chapter_errors(
            self.start_seconds,
            self.knowledge_point_id,
            [kp.pk for kp in page.knowledge_points.all()],
            getattr(video, "duration", None),
        )
        if errors:
            raise ValidationError(errors)
