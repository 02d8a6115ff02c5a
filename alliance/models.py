"""Roles, review, quality picks and featured collections of the alliance.

- `EditorScope`: which (stage, subject[, district]) an alliance editor reviews.
- `SubjectReviewTask`: the Wagtail workflow task whose reviewers are the editors
  whose scope covers the page's *current* stage and subject (evaluated at action
  time, so moving a page to another subject re-routes it).
- `Rubric` / `RubricCriterion` / `RubricScore`: configurable, weighted scoring.
- `QualityDecision`: the append-only log of quality-pick designations and
  revocations. The current state is the catalog's `QualityPick` record
  (written with the decision, through catalog.lifecycle.pick/revoke); the log
  is what `selectors.is_quality_pick_at()` reads for any past date.
- `FeaturedCollection`: ordered, editable lists of lessons shown on the site.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, PageChooserPanel
from wagtail.models import Orderable, Task, TaskState

from catalog import lifecycle

# --- Scopes ---------------------------------------------------------------


class EditorScope(models.Model):
    """One (stage, subject) pair an alliance editor is responsible for.

    A row with a district makes a district-level editor (区县学科负责人): they
    only review lessons from schools of that district. Without a district the
    editor is city-wide for that stage and subject.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="editor_scopes",
        verbose_name=_("editor"),
    )
    stage = models.ForeignKey(
        "catalog.Stage",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("stage"),
    )
    subject = models.ForeignKey(
        "catalog.Subject",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("subject"),
    )
    district = models.ForeignKey(
        "catalog.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
        help_text=_("Leave empty for a city-wide editor."),
    )

    panels = [
        FieldPanel("user"),
        FieldPanel("stage"),
        FieldPanel("subject"),
        FieldPanel("district"),
    ]

    class Meta:
        verbose_name = _("editor scope")
        verbose_name_plural = _("editor scopes")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "stage", "subject", "district"],
                name="unique_editor_scope",
            )
        ]

    def __str__(self):
        where = f" · {self.district}" if self.district_id else ""
        return f"{self.user} · {self.stage}{self.subject}{where}"


# --- Workflow task ------------------------------------------------------------


class ReviewerLevel(models.TextChoices):
    ANY = "any", _("Any editor in scope")
    DISTRICT = "district", _("District-level editors of the lesson's district")
    CITY = "city", _("City-wide editors only")


def next_review_url(task_state) -> str:
    """The URL that leads a reviewer on after deciding `task_state`."""
    return f"{reverse('alliance:review_next')}?after={int(task_state.pk)}"


def _latest_version(obj):
    """The page's latest version (the row when it has no unpublished changes)."""
    return obj.specific.get_latest_revision_as_object()


class SubjectReviewTask(Task):
    """Review by the editors whose scope covers the page's stage and subject."""

    reviewer_level = models.CharField(
        _("reviewers"),
        max_length=10,
        choices=ReviewerLevel.choices,
        default=ReviewerLevel.ANY,
        help_text=_(
            "Use 'district' then 'city' in two steps for a school → city review."
        ),
    )

    admin_form_fields = Task.admin_form_fields + ["reviewer_level"]

    class Meta:
        verbose_name = _("subject review task")
        verbose_name_plural = _("subject review tasks")

    @classmethod
    def get_description(cls):
        return _(
            "Alliance editors whose stage/subject scope covers the lesson review it"
        )

    # Who may review what is alliance.selectors' rule, and selectors read
    # these models: AllianceConfig.ready() plugs the module in here, so the
    # models never import their own selectors (no import cycle).
    scope = None

    def user_can_review(self, obj, user) -> bool:
        return self.scope.user_can_review_page(user, obj, level=self.reviewer_level)

    def user_can_access_editor(self, obj, user):
        return self.user_can_review(obj, user)

    def locked_for_user(self, obj, user):
        return not self.user_can_review(obj, user)

    def user_can_lock(self, obj, user):
        return self.user_can_review(obj, user)

    def get_actions(self, obj, user):
        if not self.user_can_review(obj, user):
            return []
        actions = [("reject", _("Return with comments"), True)]
        # No approve button for a lesson whose video is not ready
        # (catalog.lifecycle guards), judged on the latest version: the one
        # an approval publishes when the workflow finishes.
        if lifecycle.can("approve", _latest_version(obj)):
            actions += [
                ("approve", _("Approve this review step"), False),
                ("approve", _("Approve this step with a comment"), True),
            ]
        return actions

    def start(self, workflow_state, user=None):
        # Submitting (first submit, resubmit after changes, restart) starts the
        # task: a lesson whose video is not ready never enters review, whatever
        # path started the workflow. Workflow.start is atomic: nothing stays.
        lifecycle.require(
            "submit", workflow_state.content_object.get_latest_revision_as_object()
        )
        return super().start(workflow_state, user=user)

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        # Wagtail's action view checks get_actions() against the page in the
        # URL, not the page the task state belongs to: check again here so a
        # task state id of another subject cannot be smuggled in.
        page = task_state.workflow_state.content_object
        if action_name not in {name for name, *_ in self.get_actions(page, user)}:
            raise PermissionDenied
        if action_name == "approve":
            # The version a finished workflow publishes (Wagtail publishes the
            # latest revision, not the one submitted), which may carry another
            # video than the submitted one.
            message = lifecycle.refusal("approve", _latest_version(page))
            if message is not None:
                raise PermissionDenied(message)
        super().on_action(task_state, user, action_name, **kwargs)
        # Wagtail's action view redirects to the URL returned: the editor's
        # next item (alliance:review_next), not the page editor, which a
        # finished step no longer opens for them (it sent them to /admin/).
        return next_review_url(task_state)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(
            status=TaskState.STATUS_IN_PROGRESS, **self.scope.PAGE_STATES
        )
        if user.is_superuser:
            return states
        return states.filter(
            workflow_state__object_id__in=self.scope.reviewable_page_ids(
                user, level=self.reviewer_level
            )
        )


# --- Rubric -------------------------------------------------------------------


class Rubric(ClusterableModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    resource_type = models.CharField(
        _("resource type"),
        max_length=20,
        blank=True,
        help_text=_("The resource type this rubric scores by default."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("resource_type"),
        FieldPanel("is_active"),
        InlinePanel("criteria", label=_("Criteria"), min_num=1),
    ]

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self):
        return self.name


class RubricCriterion(Orderable):
    rubric = ParentalKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=20, validators=[MinValueValidator(1)]
    )
    max_score = models.PositiveSmallIntegerField(
        _("maximum score"), default=10, validators=[MinValueValidator(1)]
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("weight"),
        FieldPanel("max_score"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self):
        return self.name


class RubricScore(models.Model):
    """One reviewer's scoring of one entry against one rubric (editable)."""

    page = models.ForeignKey(
        "catalog.CatalogEntryPage",
        on_delete=models.CASCADE,
        related_name="rubric_scores",
        verbose_name=_("entry"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rubric_scores",
        verbose_name=_("reviewer"),
    )
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="scores")
    # Weighted total on a 0–100 scale, stored so lists can sort by it.
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=2)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rubric score")
        verbose_name_plural = _("rubric scores")
        constraints = [
            models.UniqueConstraint(
                fields=["page", "reviewer", "rubric"], name="one_score_per_reviewer"
            )
        ]

    def __str__(self):
        return f"{self.page_id} · {self.reviewer} · {self.total}"


class RubricScoreItem(models.Model):
    score = models.ForeignKey(
        RubricScore, on_delete=models.CASCADE, related_name="items"
    )
    criterion = models.ForeignKey(
        RubricCriterion, on_delete=models.CASCADE, related_name="+"
    )
    value = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["score", "criterion"], name="one_value_per_criterion"
            )
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.value}"


def weighted_total(values: dict[int, int], criteria) -> Decimal:
    """Weighted score on a 0–100 scale; `values` maps criterion id → score."""
    weights = sum(c.weight for c in criteria)
    if not weights:
        return Decimal("0")
    points = sum(
        Decimal(values.get(c.pk, 0)) / Decimal(c.max_score) * c.weight for c in criteria
    )
    return (points * 100 / weights).quantize(Decimal("0.01"))


# --- Quality decisions --------------------------------------------------------


class QualityAction(models.TextChoices):
    DESIGNATE = "designate", _("Designated a quality pick")
    REVOKE = "revoke", _("Revoked the quality pick")


class QualityDecision(models.Model):
    """Append-only: the quality status at a moment is the last row before it."""

    page = models.ForeignKey(
        "catalog.CatalogEntryPage",
        on_delete=models.CASCADE,
        related_name="quality_decisions",
        verbose_name=_("entry"),
    )
    action = models.CharField(_("action"), max_length=10, choices=QualityAction.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    # The reviewer's rubric total when the decision was taken, for the record.
    score_total = models.DecimalField(
        _("score"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("quality decision")
        verbose_name_plural = _("quality decisions")
        ordering = ["decided_at", "pk"]
        indexes = [models.Index(fields=["page", "decided_at"])]

    def __str__(self):
        return f"{self.page_id} {self.action} {self.decided_at:%Y-%m-%d}"


# --- Featured collections ------------------------------------------------------


class FeaturedCollection(ClusterableModel):
    # alliance.forms.FeaturedCollectionForm, set by AllianceConfig.ready(): the
    # form asks the selectors, which read these models.
    base_form_class = None

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    cover = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover image"),
    )
    stage = models.ForeignKey(
        "catalog.Stage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stage"),
    )
    subject = models.ForeignKey(
        "catalog.Subject",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subject"),
    )
    is_active = models.BooleanField(_("shown on the site"), default=True)
    sort_order = models.IntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("cover"),
        FieldPanel("stage"),
        FieldPanel("subject"),
        FieldPanel("is_active"),
        FieldPanel("sort_order"),
        InlinePanel("items", label=_("Lessons")),
    ]

    class Meta:
        verbose_name = _("featured collection")
        verbose_name_plural = _("featured collections")
        ordering = ["sort_order", "-updated_at"]

    def __str__(self):
        return self.title


class FeaturedCollectionItem(Orderable):
    collection = ParentalKey(
        FeaturedCollection, on_delete=models.CASCADE, related_name="items"
    )
    page = models.ForeignKey(
        "catalog.CatalogEntryPage",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("lesson or resource"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    panels = [
        PageChooserPanel("page", ["catalog.LessonPage", "catalog.ResourcePage"]),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("collection item")
        verbose_name_plural = _("collection items")
