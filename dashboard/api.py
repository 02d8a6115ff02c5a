"""JSON endpoints: GET /api/v1/quotas/ and GET /api/v1/coverage/ (bureau only)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import SessionAuth

from catalog.models import District, Grade, Stage, Subject, TextbookEdition

from .coverage import coverage
from .permissions import can_view_dashboard
from .reports import coverage_as_dict
from .services import SHANGHAI, get_counter, quota_results

FORBIDDEN = "仅教育局和管理员可访问。 / Bureau and administrators only."


class BureauSessionAuth(SessionAuth):
    """Django session login, limited to the bureau, administrators, superusers.

    Anonymous and other users get 403 (like the dashboard page itself).
    """

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None or not can_view_dashboard(user):
            raise HttpError(403, FORBIDDEN)
        return user


auth = BureauSessionAuth()
quotas_router = Router(tags=["dashboard"], auth=auth)
coverage_router = Router(tags=["dashboard"], auth=auth)


class QuotaOut(Schema):
    rule_id: int
    label: str
    year: int
    target: int
    count: int
    percent: float
    expected: float
    on_track: bool
    quality_only: bool
    district_id: int | None
    monthly: list[int]


class QuotasOut(Schema):
    year: int
    district_id: int | None
    source: str
    as_of: str
    rules: list[QuotaOut]


class CoverageCellOut(Schema):
    stage: str
    subject: str
    grade: str | None
    covered: int
    total: int
    percent: float


class GapOut(Schema):
    code: str
    name: str
    path: str
    stage: str
    subject: str
    grade: str | None


class CoverageOut(Schema):
    covered: int
    total: int
    percent: float
    cells: list[CoverageCellOut]
    gaps: list[GapOut]


def _lookup(model, value, label):
    """Accept an id, a code or a (Chinese) name."""
    if value in (None, ""):
        return None
    q = Q(code=value) | Q(name=value)
    if str(value).isdigit():
        q |= Q(pk=int(value))
    obj = model.objects.filter(q).first()
    if obj is None:
        raise HttpError(404, f"未知的{label}：{value} / Unknown {model.__name__}")
    return obj


@quotas_router.get("", response=QuotasOut, summary="Annual quotas with their counts")
def quotas(request, year: int, district: str | None = None):
    """Every quota rule of `year` with its count, percentage and on-track status.

    With `district` (id or code), only that district's resources are counted
    and only city-wide rules and that district's own rules are listed.
    """
    if not 2000 <= year <= 2100:
        raise HttpError(422, "年份超出范围 / year out of range")
    district_obj = _lookup(District, district, "区县")
    district_id = district_obj.pk if district_obj else None
    now = timezone.now()
    counter = get_counter()
    results = quota_results(year, district_id, now=now, counter=counter)
    return {
        "year": year,
        "district_id": district_id,
        "source": counter.name,
        "as_of": now.astimezone(SHANGHAI).isoformat(),
        "rules": [r.as_dict() for r in results],
    }


@coverage_router.get(
    "", response=CoverageOut, summary="Knowledge-point coverage and gap list"
)
def coverage_view(
    request,
    subject: str,
    grade: str | None = None,
    stage: str | None = None,
    edition: str | None = None,
):
    """Covered / total knowledge points (depth ≥ 2) per stage, subject and grade,
    and the uncovered points with their path in the tree.

    `subject`, `grade`, `stage`, `edition` accept an id, a code or a name.
    """
    subject_obj = _lookup(Subject, subject, "学科")
    grade_obj = _lookup(Grade, grade, "年级")
    stage_obj = _lookup(Stage, stage, "学段")
    edition_obj = _lookup(TextbookEdition, edition, "教材版本")
    counter = get_counter()
    attached = counter.covered_point_ids()
    cov = coverage(
        subject_id=subject_obj.pk,
        grade_id=grade_obj.pk if grade_obj else None,
        stage_id=stage_obj.pk if stage_obj else None,
        edition_id=edition_obj.pk if edition_obj else None,
        attached=attached,
    )
    return coverage_as_dict(cov)
