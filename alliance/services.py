"""Write operations of the alliance: scoring, quality picks (with audit trail)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

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

NOT_ALLOWED = (
    "你不负责该学段学科，无权操作。 / You are not an editor for this stage and subject."
)


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
                f"「{criterion.name}」的分数必须在 0–{criterion.max_score} 之间。 / "
                f"Score for '{criterion.name}' must be 0–{criterion.max_score}."
            )
    total = weighted_total(values, criteria)
    score, _ = RubricScore.objects.update_or_create(
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


def _set_flag(page_id, picked: bool, user, moment):
    CatalogEntryPage.objects.filter(pk=page_id).update(
        is_quality_pick=picked,
        quality_picked_by=user if picked else None,
        quality_picked_at=moment if picked else None,
    )


@transaction.atomic
def designate_quality_pick(page, user, reason: str = "", moment=None):
    """Make a live entry a quality pick (精品微课); logs the decision."""
    _require_judge(user, page)
    entry = CatalogEntryPage.objects.select_for_update().get(pk=page.pk)
    if not entry.live:
        raise ValidationError(
            "只有已发布的资源才能评为精品。 / Only published entries can be picked."
        )
    if entry.is_quality_pick:
        raise ValidationError(
            "该资源已是精品。 / This entry is already a quality pick."
        )
    moment = moment or timezone.now()
    latest = RubricScore.objects.filter(page_id=page.pk, reviewer=user).first()
    decision = QualityDecision.objects.create(
        page_id=page.pk,
        action=QualityAction.DESIGNATE,
        decided_by=user,
        decided_at=moment,
        reason=reason,
        score_total=latest.total if latest else None,
    )
    _set_flag(page.pk, True, user, moment)
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
        raise ValidationError("撤销精品必须填写理由。 / A reason is required.")
    entry = CatalogEntryPage.objects.select_for_update().get(pk=page.pk)
    if not entry.is_quality_pick:
        raise ValidationError("该资源不是精品。 / This entry is not a quality pick.")
    moment = moment or timezone.now()
    decision = QualityDecision.objects.create(
        page_id=page.pk,
        action=QualityAction.REVOKE,
        decided_by=user,
        decided_at=moment,
        reason=reason.strip(),
    )
    _set_flag(page.pk, False, user, moment)
    log(
        instance=entry.specific,
        action="alliance.quality_revoke",
        user=user,
        data={"comment": reason.strip(), "decision_id": decision.pk},
    )
    return decision


def reapply_quality_flag(page_id):
    """Publishing a revision writes its (possibly stale) copy of the flag back
    to the row; the decision log is the truth, so restore the flag from it."""
    last = (
        QualityDecision.objects.filter(page_id=page_id)
        .order_by("-decided_at", "-pk")
        .first()
    )
    if last is None:
        return
    picked = last.action == QualityAction.DESIGNATE
    CatalogEntryPage.objects.filter(pk=page_id).update(
        is_quality_pick=picked,
        quality_picked_by_id=last.decided_by_id if picked else None,
        quality_picked_at=last.decided_at if picked else None,
    )
