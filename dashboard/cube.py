"""What the quota counters share: time in Asia/Shanghai, the flattened rule
and the cube's key. Below both counters (dashboard/services.py for the
database, dashboard/engine.py for the search engine), so neither imports the
other to agree on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Q

SHANGHAI = ZoneInfo("Asia/Shanghai")
PUB, PICK = "pub", "pick"


# --- time ----------------------------------------------------------------------
def month_bounds(year: int) -> list[datetime]:
    """13 aware instants: 1 Jan 00:00 local, 1 Feb 00:00, …, next 1 Jan 00:00."""
    bounds = [datetime(year, m, 1, tzinfo=SHANGHAI) for m in range(1, 13)]
    return bounds + [datetime(year + 1, 1, 1, tzinfo=SHANGHAI)]


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=SHANGHAI), datetime(
        year + 1, 1, 1, tzinfo=SHANGHAI
    )


def local_year_month(moment: datetime | None) -> tuple[int | None, int | None]:
    if moment is None:
        return None, None
    local = moment.astimezone(SHANGHAI)
    return local.year, local.month


@dataclass(frozen=True)
class RuleSpec:
    """A QuotaRule flattened for evaluation (no more queries needed)."""

    id: int
    year: int
    label: str
    target: int
    district_id: int | None
    stage_ids: frozenset[int]
    subject_id: int | None
    types: frozenset[str]
    quality_only: bool

    @property
    def kind(self) -> str:
        return PICK if self.quality_only else PUB

    def matches(self, stage_id, subject_id, rtype, district_id) -> bool:
        return (
            stage_id in self.stage_ids
            and rtype in self.types
            and (self.subject_id is None or subject_id == self.subject_id)
            and (self.district_id is None or district_id == self.district_id)
        )

    def q(self) -> Q:
        """The rule as an ORM filter on CatalogEntryPage (drill-down, naive count)."""
        start, end = year_bounds(self.year)
        q = Q(live=True, stage_id__in=self.stage_ids, resource_type__in=self.types)
        if self.subject_id:
            q &= Q(subject_id=self.subject_id)
        if self.district_id:
            q &= Q(district_id=self.district_id)
        if self.quality_only:
            q &= Q(
                quality_pick__picked_at__gte=start,
                quality_pick__picked_at__lt=end,
            )
        else:
            q &= Q(first_published_at__gte=start, first_published_at__lt=end)
        return q


# --- the cube ------------------------------------------------------------------
# key: (kind, month 1-12, stage_id, subject_id, resource_type, district_id)
Cube = dict[tuple, int]
