"""Write operations of the alliance: scoring, review decisions, quality picks
(with audit trail)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from catalog import lifecycle
from catalog.models import CatalogEntryPage

from .models import (
    QualityAction,
    QualityDecision,
    Rubric,
    RubricScore,
    RubricScoreItem,
    weighted_total,
)
from .selectors import user_can_review_page

NOT_ALLOWED = _("You are not an editor for this stage and subject.")
REASON_REQUIRED = _("A reason is required to revoke a quality pick.")
NOT_IN_REVIEW = _("This lesson is not waiting for review any more.")
STEP_CHANGED = _(
    "This lesson's review step changed since you opened it; please look at it again."
)
COMMENT_REQUIRED = _("Write a comment saying what to change before returning it.")

# Review decisions of the review page: our name → the workflow task's action.
REVIEW_ACTIONS = {"approve": "approve", "request_changes": "reject"}


def can_judge(user, page) -> bool:
    """Scoring and quality picks: scoped editors (any level) and administrators."""
    return user_can_review_page(user, page)


def can_view_entry(user, page) -> bool:
    """The review page and the files of an entry: its owner, scoped editors,
    administrators, and the bureau once it is published."""
    from .roles import is_administrator, is_bureau

    if not user or not user.is_authenticated or not user.is_active:
        return False
    if is_administrator(user) or can_judge(user, page) or page.owner_id == user.pk:
        return True
    return is_bureau(user) and page.live


def _require_judge(user, page):
    if not can_judge(user, page):
        raise PermissionDenied(NOT_ALLOWED)


def default_rubric(resource_type: str | None = None) -> Rubric | None:
    rubrics = Rubric.objects.filter(is_active=True)
    if resource_type:
        match = rubrics.filter(resource_type=resource_type).first()
        if match:
            return match
    return rubrics.filter(resource_type="").first() or rubrics.first()


@transaction.atomic
def save_rubric_score(page, user, rubric, values: dict[int, int], notes: str = ""):
    """Create or replace `user`'s scoring of `page`; values: criterion id → score."""
    _require_judge(user, page)
    criteria = list(rubric.criteria.all())
    for criterion in criteria:
        value = values.get(criterion.pk)
        if value is None or not 0 <= value <= criterion.max_score:
            raise ValidationError(
                _("The score for “%(criterion)s” must be from 0 to %(max)s.")
                % {"criterion": criterion.name, "max": criterion.max_score}
            )
    total = weighted_total(values, criteria)
    score, _created = RubricScore.objects.update_or_create(
        page_id=page.pk,
        reviewer=user,
        rubric=rubric,
        defaults={"total": total, "notes": notes},
    )
    score.items.all().delete()
    RubricScoreItem.objects.bulk_create(
        RubricScoreItem(score=score, criterion=c, value=values[c.pk]) for c in criteria
    )
    log(
        instance=page,
        action="alliance.score",
        user=user,
        data={
            "rubric": rubric.name,
            "total": str(total),
            "scores": {c.name: values[c.pk] for c in criteria},
            "comment": notes,
        },
    )
    return score


@transaction.atomic
def designate_quality_pick(page, user, reason: str = "", moment=None):
    """Make a live entry a quality pick (精品微课); logs the decision.

    The pick itself (its record, its guards, telling search and the quotas)
    is the catalog's life-cycle transition; the alliance keeps who decided
    and why."""
    _require_judge(user, page)
    moment = moment or timezone.now()
    lifecycle.pick(page, user, moment)
    entry = CatalogEntryPage.objects.get(pk=page.pk)
    latest = RubricScore.objects.filter(page_id=page.pk, reviewer=user).first()
    decision = QualityDecision.objects.create(
        page_id=page.pk,
        action=QualityAction.DESIGNATE,
        decided_by=user,
        decided_at=moment,
        reason=reason,
        score_total=latest.total if latest else None,
    )
    log(
        instance=entry.specific,
        action="alliance.quality_pick",
        user=user,
        data={"comment": reason, "decision_id": decision.pk},
    )
    return decision


@transaction.atomic
def revoke_quality_pick(page, user, reason: str, moment=None):
    """Withdraw the quality pick; a reason is required and kept in the log."""
    _require_judge(user, page)
    if not reason or not reason.strip():
        raise ValidationError(REASON_REQUIRED)
    lifecycle.revoke(page)
    entry = CatalogEntryPage.objects.get(pk=page.pk)
    moment = moment or timezone.now()
    decision = QualityDecision.objects.create(
        page_id=page.pk,
        action=QualityAction.REVOKE,
        decided_by=user,
        decided_at=moment,
        reason=reason.strip(),
    )
    log(
        instance=entry.specific,
        action="alliance.quality_revoke",
        user=user,
        data={"comment": reason.strip(), "decision_id": decision.pk},
    )
    return decision


def review_actions(user, page) -> set[str]:
    """The review decisions (keys of REVIEW_ACTIONS) `user` may take on `page`
    now: what the current workflow task offers them, which is where the scope
    and the life-cycle guards (no approval of a lesson whose video is not
    ready) are decided."""
    task_state = page.current_workflow_task_state
    if task_state is None:
        return set()
    task = task_state.task.specific
    offered = {name for name, *_rest in task.get_actions(page, user)}
    return {ours for ours, theirs in REVIEW_ACTIONS.items() if theirs in offered}


def decide_review(page, user, action: str, comment: str, task_state_id: int | None):
    """Approve or return `page` as the review page does: the current task's
    own action (SubjectReviewTask.on_action), as Wagtail's action view calls
    it, so its scope check, its guards, the log and the e-mails all apply.

    `task_state_id` is the step the reviewer saw; another current step
    (approved by someone else, returned and resubmitted) or none given is
    refused rather than decided blind. Refusals of input are ValidationErrors
    with one sentence; a user outside the scope gets PermissionDenied."""
    if action not in REVIEW_ACTIONS:
        raise ValueError(f"unknown review decision {action!r}")
    if not can_judge(user, page):
        raise PermissionDenied(NOT_ALLOWED)
    task_state = page.current_workflow_task_state
    if task_state is None:
        raise ValidationError(NOT_IN_REVIEW)
    if task_state.pk != task_state_id:
        raise ValidationError(STEP_CHANGED)
    comment = (comment or "").strip()
    if action == "request_changes" and not comment:
        raise ValidationError(COMMENT_REQUIRED)
    if action == "approve":
        # Say why first: the task hides the approve action of a lesson whose
        # video is not ready, so its own refusal would carry no sentence.
        message = lifecycle.refusal("approve", page.get_latest_revision_as_object())
        if message is not None:
            raise ValidationError(message)
    if action not in review_actions(user, page):
        raise PermissionDenied(NOT_ALLOWED)
    task_state.task.specific.on_action(
        task_state, user, REVIEW_ACTIONS[action], comment=comment
    )
