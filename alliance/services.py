"""Write operations of the alliance: scoring, quality picks (with audit trail)."""

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
