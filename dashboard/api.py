"""JSON endpoints: GET /api/v1/quotas/ and GET /api/v1/coverage/ (bureau only)."""

from __future__ import annotations

from typing import Annotated

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import SessionAuth
from pydantic import Field

from catalog.api_schemas import ApiError, ParamError, code_or_name, optional
from catalog.ids import parse_id
from catalog.models import District, Grade, Stage, Subject, TextbookEdition

from .coverage import coverage
from .permissions import can_view_dashboard
from .reports import coverage_as_dict
from .services import SHANGHAI, get_counter, quota_results

FORBIDDEN = _("Bureau staff and administrators only.")
UNKNOWN = _("Unknown %(what)s: %(value)s.")


class BureauSessionAuth(SessionAuth):
    """Django session login, limited to the bureau, administrators, superusers.

    Anonymous and other users get 403 (like the dashboard page itself).
    """

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None or not can_view_dashboard(user):
            raise HttpError(403, str(FORBIDDEN))
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


# An id, a code or a name: the longest of those columns bounds the value.
LookupValue = code_or_name(100)
ERRORS = {400: ParamError, 403: ApiError, 404: ApiError}


class QuotaParams(Schema):
    # Without `year`: the current year, as the dashboard page shows it.
    year: Annotated[int | None, Field(ge=2000, le=2100)] = None
    district: optional(LookupValue) = None


class CoverageParams(Schema):
    subject: LookupValue
    grade: optional(LookupValue) = None
    stage: optional(LookupValue) = None
    edition: optional(LookupValue) = None


def _lookup(model, value):
    """Accept an id, a code or a (Chinese) name."""
    if value in (None, ""):
        return None
    q = Q(code=value) | Q(name=value)
    if (pk := parse_id(value)) is not None:
        q |= Q(pk=pk)
    obj = model.objects.filter(q).first()
    if obj is None:
        raise HttpError(
            404,
            UNKNOWN % {"what": model._meta.verbose_name, "value": value},
        )
    return obj


@quotas_router.get(
    "",
    response={200: QuotasOut, **ERRORS},
    summary="Annual quotas with their counts",
)
def quotas(request, params: Query[QuotaParams]):
    """Every quota rule of `year` with its count, percentage and on-track status.

    With `district` (id or code), only that district's resources are counted
    and only city-wide rules and that district's own rules are listed.
    """
    now = timezone.now()
    year = params.year or now.astimezone(SHANGHAI).year
    district_obj = _lookup(District, params.district)
    district_id = district_obj.pk if district_obj else None
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
    "",
    response={200: CoverageOut, **ERRORS},
    summary="Knowledge-point coverage and gap list",
)
def coverage_view(request, params: Query[CoverageParams]):
    """Covered / total knowledge points (depth ≥ 2) per stage, subject and grade,
    and the uncovered points with their path in the tree.

    `subject`, `grade`, `stage`, `edition` accept an id, a code or a name.
    """
    subject_obj = _lookup(Subject, params.subject)
    grade_obj = _lookup(Grade, params.grade)
    stage_obj = _lookup(Stage, params.stage)
    edition_obj = _lookup(TextbookEdition, params.edition)
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
