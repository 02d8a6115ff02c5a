"""The page tree: home → stage → subject → lessons and resources.

Lessons and resources share one concrete parent model, `CatalogEntryPage`
(multi-table inheritance), so quota counts, coverage and search can ask one
table about every kind of resource. Stage and subject are *derived from the
tree*: a resource's subject is the subject page it lives under, so changing a
resource's subject means moving it, and the two can never disagree.
"""

from collections import defaultdict

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
)
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from text_analysis.search_fields import ChineseAutocompleteField, ChineseSearchField

from ..forms import CatalogEntryPageForm, LessonPageForm
from ..lifecycle_rules import refusal
from .knowledge import KnowledgePoint
from .quality import QualityPick, quality_flag
from .taxonomy import District, Grade, School, Stage, Subject, TextbookEdition


class ResourceType(models.TextChoices):
    MICRO_LESSON = "micro_lesson", _("Micro-lesson")
    COURSEWARE = "courseware", _("Courseware")
    LESSON_PLAN = "lesson_plan", _("Lesson plan")
    STUDY_GUIDE = "study_guide", _("Study guide")
    EXERCISES = "exercises", _("Exercises")
    GAME_EXAMPLE = "game_example", _("Game example")

    @classmethod
    def synchronous(cls):
        """同步教学资源: the textbook-bound types the quotas count together."""
        return [cls.COURSEWARE, cls.LESSON_PLAN, cls.STUDY_GUIDE, cls.EXERCISES]


class Licence(models.TextChoices):
    CC_BY = "cc-by-4.0", _("CC BY 4.0")
    CC_BY_NC = "cc-by-nc-4.0", _("CC BY-NC 4.0")
    CC_BY_NC_SA = "cc-by-nc-sa-4.0", _("CC BY-NC-SA 4.0")
    ALLIANCE = "alliance", _("Alliance members only")
    ALL_RIGHTS = "all-rights-reserved", _("All rights reserved")


class HomePage(Page):
    intro = models.CharField(_("introduction"), max_length=300, blank=True)

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["catalog.StagePage"]
    max_count = 1
    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Lazy: the template reads it only when its cached fragment is stale.
        context["stages"] = SimpleLazyObject(stage_subject_counts)
        return context

    def route(self, request, path_components):
        """A lesson three levels down in two queries instead of two per level
        (stage, subject, lesson): the page whose url_path is the request's,
        found through its indexed slug, with what its template shows joined
        in. Anything else (no such page) takes Wagtail's walk, which 404s."""
        if path_components:
            page = self._page_at(path_components)
            if page is not None:
                return page.route(request, [])
        return super().route(request, path_components)

    def _page_at(self, components):
        row = (
            Page.objects.filter(
                slug=components[-1],
                url_path=self.url_path + "/".join(components) + "/",
                path__startswith=self.path,
                depth=self.depth + len(components),
            )
            .values_list("pk", "content_type_id")
            .first()
        )
        model = row and ContentType.objects.get_for_id(row[1]).model_class()
        if not model:
            return None
        pages = model.objects.filter(pk=row[0])
        if issubclass(model, CatalogEntryPage):
            pages = pages.select_related(*model.SERVE_RELATED).annotate(
                is_quality_pick=quality_flag()
            )
        return pages.first()


class StagePage(Page):
    stage = models.OneToOneField(
        Stage, on_delete=models.PROTECT, verbose_name=_("stage")
    )

    parent_page_types = ["catalog.HomePage"]
    subpage_types = ["catalog.SubjectPage"]
    content_panels = Page.content_panels + [FieldPanel("stage")]

    class Meta:
        verbose_name = _("stage page")


class SubjectPage(Page):
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, verbose_name=_("subject")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, editable=False, verbose_name=_("stage")
    )
    introduction = RichTextField(_("introduction"), blank=True)

    parent_page_types = ["catalog.StagePage"]
    subpage_types = ["catalog.LessonPage", "catalog.ResourcePage"]
    content_panels = Page.content_panels + [
        FieldPanel("subject"),
        FieldPanel("introduction"),
    ]

    class Meta:
        verbose_name = _("subject page")
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "subject"], name="unique_subject_page_per_stage"
            )
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["entries"] = (
            CatalogEntryPage.objects.live()
            .child_of(self)
            .select_related("grade")
            .order_by("-first_published_at")
        )
        return context

    def _stage_from_tree(self, parent=None):
        parent = parent or self.get_parent()
        return parent.specific.stage if parent else None

    def clean(self):
        super().clean()
        parent = self.get_parent() if self.pk else None
        stage = (
            self._stage_from_tree(parent) if parent else getattr(self, "stage", None)
        )
        if (
            stage
            and self.subject_id
            and not self.subject.stages.filter(pk=stage.pk).exists()
        ):
            raise ValidationError(
                {
                    "subject": _("%(subject)s is not taught in %(stage)s.")
                    % {"subject": self.subject, "stage": stage}
                }
            )

    def save(self, *args, **kwargs):
        parent = self.get_parent() if self.path else None
        if parent is not None:
            self.stage = self._stage_from_tree(parent)
        super().save(*args, **kwargs)


class ResourceTag(TaggedItemBase):
    content_object = ParentalKey(
        "catalog.CatalogEntryPage",
        on_delete=models.CASCADE,
        related_name="tagged_items",
    )


class CatalogEntryPage(Page):
    """Shared fields of everything a teacher contributes (not creatable itself)."""

    # Joined in when the page is served (HomePage.route): its template shows them.
    SERVE_RELATED = ("stage", "subject", "grade")

    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    stage = models.ForeignKey(
        Stage,
        on_delete=models.PROTECT,
        editable=False,
        related_name="+",
        verbose_name=_("stage"),
    )
    subject = models.ForeignKey(
        Subject,
        on_delete=models.PROTECT,
        editable=False,
        related_name="+",
        verbose_name=_("subject"),
    )
    grade = models.ForeignKey(
        Grade,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("grade"),
    )
    edition = models.ForeignKey(
        TextbookEdition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("textbook edition"),
    )
    knowledge_points = ParentalManyToManyField(
        KnowledgePoint,
        blank=True,
        related_name="entries",
        verbose_name=_("knowledge points"),
    )
    resource_type = models.CharField(
        _("resource type"),
        max_length=20,
        choices=ResourceType.choices,
        db_index=True,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="catalog_entries",
        verbose_name=_("author"),
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
        help_text=_("Filled from the school when left empty."),
    )
    academic_year = models.PositiveSmallIntegerField(
        _("academic year"),
        db_index=True,
        help_text=_("The year the academic year starts, e.g. 2025 for 2025–2026."),
    )
    tags = ClusterTaggableManager(through=ResourceTag, blank=True)
    licence = models.CharField(
        _("licence"), max_length=30, choices=Licence.choices, default=Licence.CC_BY_NC
    )
    # Added by the portal: flushed from cache counters by `flush_view_counts`,
    # never written per view (see portal/viewcounts.py).
    view_count = models.PositiveIntegerField(
        _("view count"), default=0, db_index=True, editable=False
    )

    is_creatable = False
    parent_page_types = ["catalog.SubjectPage"]
    subpage_types = []
    # Offers and accepts only the videos and authors the editing user may use.
    base_form_class = CatalogEntryPageForm

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("grade"), FieldPanel("edition")]),
        FieldPanel("knowledge_points"),
        FieldRowPanel([FieldPanel("author"), FieldPanel("academic_year")]),
        FieldRowPanel([FieldPanel("school"), FieldPanel("district")]),
        FieldPanel("tags"),
        FieldPanel("licence"),
        InlinePanel("attachments", label=_("Attachments")),
    ]

    class Meta:
        verbose_name = _("catalog entry")
        verbose_name_plural = _("catalog entries")
        indexes = [
            models.Index(fields=["academic_year", "stage", "subject", "resource_type"]),
        ]

    # Which resource types a concrete page type may hold.
    allowed_resource_types: list[str] = []

    # Search (owned by the search app; see docs/search.md). Titles and texts are
    # segmented for Chinese by the search fields (the segmented title replaces
    # Page's in the engine document); filter fields feed facets.
    search_fields = Page.search_fields + [
        ChineseSearchField("title", boost=3),
        ChineseAutocompleteField("title"),
        ChineseSearchField("summary"),
        ChineseSearchField("search_related_text"),
        index.SearchField("search_pinyin"),
        index.FilterField("stage"),
        index.FilterField("subject"),
        index.FilterField("grade"),
        index.FilterField("edition"),
        index.FilterField("resource_type"),
        # Read from the QualityPick record (catalog/models/quality.py).
        index.FilterField("is_quality_pick", type="BooleanField"),
        index.FilterField("academic_year"),
        index.FilterField("district"),
        # Sort by most viewed; flushed counts reach the engine through
        # search.services.sync_view_counts.
        index.FilterField("view_count"),
        index.FilterField("search_knowledge_point_ids", type="IntegerField"),
        index.FilterField("search_knowledge_point_tree_ids", type="IntegerField"),
    ]

    @classmethod
    def get_indexed_objects(cls):
        # Related names go into the index: fetch them with the entries.
        return (
            super()
            .get_indexed_objects()
            .select_related(
                "stage", "subject", "grade", "edition", "author", "school", "district"
            )
            .prefetch_related("knowledge_points", "tags")
            .annotate(is_quality_pick=quality_flag())
        )

    @cached_property
    def is_quality_pick(self) -> bool:
        """Whether the entry is a quality pick now (its QualityPick record).

        A cached_property, so a queryset annotated with `quality_flag()` under
        this name fills it without a query per page.
        """
        return QualityPick.objects.filter(page_id=self.pk).exists()

    def refresh_from_db(self, *args, **kwargs):
        # The flag is read from its own record: forget the cached answer.
        self.__dict__.pop("is_quality_pick", None)
        super().refresh_from_db(*args, **kwargs)

    def search_related_text(self):
        from catalog.search_document import related_text

        return related_text(self)

    def search_pinyin(self):
        from catalog.search_document import pinyin_keys

        return pinyin_keys(self)

    def search_knowledge_point_ids(self):
        from catalog.search_document import knowledge_point_ids

        return knowledge_point_ids(self)

    def search_knowledge_point_tree_ids(self):
        from catalog.search_document import knowledge_point_tree_ids

        return knowledge_point_tree_ids(self)

    def clean(self):
        super().clean()
        if self.resource_type not in self.allowed_resource_types:
            raise ValidationError(
                {"resource_type": _("This resource type is not allowed here.")}
            )
        if self.grade_id and self.stage_id and self.grade.stage_id != self.stage_id:
            raise ValidationError(
                {"grade": _("The grade does not belong to the page's stage.")}
            )
        # The district routes the review to that district's editors: it is
        # the school's district, never another one picked next to the school.
        if (
            self.school_id
            and self.district_id
            and self.school.district_id != self.district_id
        ):
            raise ValidationError(
                {"district": _("The district is not the district of the school.")}
            )

    def sync_from_tree(self, parent=None):
        """Stage and subject always come from the subject page above."""
        parent = parent or self.get_parent()
        subject_page = parent.specific if parent else None
        if isinstance(subject_page, SubjectPage):
            self.subject_id = subject_page.subject_id
            self.stage_id = subject_page.stage_id

    def save(self, *args, **kwargs):
        if self.path:
            self.sync_from_tree()
        if self.school_id and not self.district_id:
            self.district_id = self.school.district_id
        super().save(*args, **kwargs)


class AttachmentKind(models.TextChoices):
    """What an attachment is: the four documents of a micro-lesson
    competition's bundle (with the video: 微课视频 微教案 微课件 微练习 微反思),
    its captions, or anything else."""

    LESSON_PLAN = "lesson_plan", pgettext_lazy("bundle part", "Lesson plan")
    COURSEWARE = "courseware", pgettext_lazy("bundle part", "Courseware")
    EXERCISES = "exercises", pgettext_lazy("bundle part", "Exercises")
    REFLECTION = "reflection", pgettext_lazy("bundle part", "Reflection")
    CAPTIONS = "captions", pgettext_lazy("bundle part", "Captions")
    OTHER = "other", pgettext_lazy("bundle part", "Other")

    @classmethod
    def bundle(cls):
        """The documents a competition entry needs beside the video."""
        return [cls.LESSON_PLAN, cls.COURSEWARE, cls.EXERCISES, cls.REFLECTION]


class ResourceAttachment(Orderable):
    page = ParentalKey(
        CatalogEntryPage, on_delete=models.CASCADE, related_name="attachments"
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("document"),
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=AttachmentKind.choices,
        default=AttachmentKind.OTHER,
    )

    panels = [FieldPanel("document"), FieldPanel("kind"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.title or self.document.title


class LessonPage(CatalogEntryPage):
    """微课: a short video on one or more knowledge points."""

    SERVE_RELATED = (*CatalogEntryPage.SERVE_RELATED, "video")

    video = models.ForeignKey(
        "media_pipeline.Video",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name=_("video"),
    )
    # Off by default: the author decides whether teachers may keep a copy.
    allow_download = models.BooleanField(
        _("allow download"),
        default=False,
        help_text=_(
            "Show a download button for the video (an MP4 of moderate size, "
            "never the original upload)."
        ),
    )

    allowed_resource_types = [ResourceType.MICRO_LESSON]
    template = "catalog/catalog_entry.html"
    parent_page_types = ["catalog.SubjectPage"]
    subpage_types = []
    content_panels = (
        CatalogEntryPage.content_panels[:2]
        + [
            FieldPanel("video"),
            FieldPanel("allow_download"),
        ]
        + CatalogEntryPage.content_panels[2:]
        + [InlinePanel("chapters", label=_("Chapters"))]
    )
    # Checks the chapters against the points and video the form carries.
    base_form_class = LessonPageForm

    class Meta:
        verbose_name = _("micro-lesson")
        verbose_name_plural = _("micro-lessons")

    def clean(self):
        # A lesson has one resource type and no field for it: set it before
        # the check, or the admin's create view fails on the missing type.
        self.resource_type = ResourceType.MICRO_LESSON
        super().clean()
        # The last barrier of the life cycle: Wagtail cleans the page when it
        # saves a revision being published (admin, workflow finish, commands,
        # scheduled publishing), so no path publishes a lesson whose video is
        # missing, still processing or rejected.
        if self._is_being_published():
            message = refusal("publish", self)
            if message is not None:
                raise ValidationError({"video": message}, code="lifecycle_publish")

    def _is_being_published(self) -> bool:
        """A revision is going live: live, with a live revision the row lacks."""
        if not (self.live and self.live_revision_id and self.pk):
            return False
        stored = (
            Page.objects.filter(pk=self.pk)
            .values_list("live_revision_id", flat=True)
            .first()
        )
        return stored != self.live_revision_id

    def save(self, *args, **kwargs):
        self.resource_type = ResourceType.MICRO_LESSON
        super().save(*args, **kwargs)


class ResourcePage(CatalogEntryPage):
    """同步教学资源 and preschool game examples: courseware, plans, exercises …"""

    allowed_resource_types = [
        t for t in ResourceType.values if t != ResourceType.MICRO_LESSON
    ]
    template = "catalog/catalog_entry.html"
    parent_page_types = ["catalog.SubjectPage"]
    subpage_types = []
    content_panels = (
        CatalogEntryPage.content_panels[:2]
        + [
            FieldPanel("resource_type"),
        ]
        + CatalogEntryPage.content_panels[2:]
    )

    class Meta:
        verbose_name = _("teaching resource")
        verbose_name_plural = _("teaching resources")


def stage_subject_counts():
    """Stages with their subjects and live resource counts, in two queries.

    Returns a list of dicts: {"stage", "page", "subjects": [{"subject", "page",
    "count"}], "count"}; subjects without a subject page are left out.
    """
    counts = defaultdict(int)
    for row in (
        CatalogEntryPage.objects.live()
        .values("stage_id", "subject_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(row["stage_id"], row["subject_id"])] = row["n"]

    subject_pages = (
        SubjectPage.objects.live()
        .select_related("subject", "stage")
        .order_by("stage__sort_order", "subject__sort_order")
    )
    by_stage = defaultdict(list)
    for page in subject_pages:
        by_stage[page.stage_id].append(
            {
                "subject": page.subject,
                "page": page,
                "count": counts[(page.stage_id, page.subject_id)],
            }
        )
    result = []
    for stage in Stage.objects.all():
        subjects = by_stage.get(stage.pk, [])
        result.append(
            {
                "stage": stage,
                "subjects": subjects,
                "count": sum(item["count"] for item in subjects),
            }
        )
    return result
