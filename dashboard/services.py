"""Annual quota counts: one service, two implementations of the counting.

Counting semantics (docs/dashboard.md):
- a live resource counts for the calendar year, in Asia/Shanghai, of its
  first publication (`first_published_at`);
- for a "quality picks only" rule, a live quality pick counts for the year it
  was designated (`QualityPick.picked_at`, Asia/Shanghai);
- unpublishing, deleting, moving to another subject page (= changing subject)
  or revoking the pick takes it out, because only the *current* state is read.

Both counters return the same "cube": counts per (kind, month, stage, subject,
resource type, district) for one year, where kind is "pub" (by publication
month) or "pick" (by designation month). Rules are then evaluated in Python,
so a whole year's dashboard costs one grouped database query or one search
request, whatever the number of rules.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import CatalogEntryPage, District, School

from . import figures
from .cube import (  # noqa: F401 (names the views and the engine share)
    PICK,
    PUB,
    SHANGHAI,
    Cube,
    RuleSpec,
    local_year_month,
    month_bounds,
    year_bounds,
)
from .models import QuotaRule
from .recordings import counted_once

# The row of entries whose district, school or teacher is not filled in.
NOT_GIVEN = _("(not given)")


def elapsed_fraction(year: int, now: datetime | None = None) -> float:
    """How much of the calendar year (Asia/Shanghai) has passed at `now`."""
    now = now or timezone.now()
    start, end = year_bounds(year)
    if now <= start:
        return 0.0
    if now >= end:
        return 1.0
    return (now - start) / (end - start)


# --- rules ---------------------------------------------------------------------
def rule_specs(year: int, district_id: int | None = None) -> list[RuleSpec]:
    """The year's rules (city-wide, plus the district's own when filtering)."""
    rules = QuotaRule.objects.filter(year=year).select_related("subject", "district")
    if district_id:
        rules = rules.filter(Q(district__isnull=True) | Q(district_id=district_id))
    rules = rules.prefetch_related("stages")
    specs = []
    for rule in rules:
        stages = list(rule.stages.all())
        specs.append(
            RuleSpec(
                id=rule.pk,
                year=rule.year,
                label=rule.label or rule.generated_label(stages),
                target=rule.target,
                district_id=rule.district_id,
                stage_ids=frozenset(s.pk for s in stages),
                subject_id=rule.subject_id,
                types=frozenset(rule.catalog_types()),
                quality_only=rule.quality_only,
            )
        )
    return specs


# --- the cube ------------------------------------------------------------------
def _month_case(field_name: str, bounds: list[datetime], extra: Q | None = None):
    # Range comparisons on aware instants instead of a timezone-converting
    # EXTRACT: index-friendly and identical on SQLite and PostgreSQL.
    whens = []
    for i in range(12):
        cond = Q(
            **{f"{field_name}__gte": bounds[i], f"{field_name}__lt": bounds[i + 1]}
        )
        whens.append(When(cond & extra if extra else cond, then=Value(i + 1)))
    return Case(*whens, default=Value(0), output_field=IntegerField())


class DatabaseCounter:
    """Counts with one grouped query (the embedded default)."""

    name = "database"

    def cube(self, year: int, district_id: int | None = None) -> Cube:
        bounds = month_bounds(year)
        start, end = bounds[0], bounds[-1]
        qs = counted_once(CatalogEntryPage.objects.filter(live=True)).filter(
            Q(first_published_at__gte=start, first_published_at__lt=end)
            | Q(
                quality_pick__picked_at__gte=start,
                quality_pick__picked_at__lt=end,
            )
        )
        if district_id:
            qs = qs.filter(district_id=district_id)
        rows = (
            qs.annotate(
                pub_month=_month_case("first_published_at", bounds),
                pick_month=_month_case(
                    "quality_pick__picked_at",
                    bounds,
                    Q(quality_pick__isnull=False),
                ),
            )
            .values(
                "pub_month",
                "pick_month",
                "stage_id",
                "subject_id",
                "resource_type",
                "district_id",
            )
            .annotate(n=Count("pk"))
            .order_by()
        )
        cube: Cube = defaultdict(int)
        for r in rows:
            dims = (
                r["stage_id"],
                r["subject_id"],
                r["resource_type"],
                r["district_id"],
            )
            if r["pub_month"]:
                cube[(PUB, r["pub_month"], *dims)] += r["n"]
            if r["pick_month"]:
                cube[(PICK, r["pick_month"], *dims)] += r["n"]
        return dict(cube)

    def breakdown(self, spec: RuleSpec, by: str, district_id=None) -> dict:
        """Counts of one rule per district, school or author (teacher)."""
        column = {
            "district": "district_id",
            "school": "school_id",
            "teacher": "author_id",
        }[by]
        qs = counted_once(CatalogEntryPage.objects.filter(spec.q()))
        if district_id:
            qs = qs.filter(district_id=district_id)
        rows = qs.values(column).annotate(n=Count("pk")).order_by()
        return {r[column]: r["n"] for r in rows}

    def covered_point_ids(self) -> set[int]:
        from .coverage import attached_point_ids_db

        return attached_point_ids_db()


def get_counter():
    """The search-engine counter when an engine is configured, else the database."""
    url = getattr(settings, "DASHBOARD_QUOTA_ENGINE_URL", "")
    if url:
        from .engine import EngineCounter

        return EngineCounter(url)
    return DatabaseCounter()


# --- evaluation ----------------------------------------------------------------
@dataclass
class RuleResult:
    spec: RuleSpec
    count: int
    monthly: list[int] = field(default_factory=list)  # per month, not cumulative
    expected: float = 0.0

    @property
    def percent(self) -> float:
        return 100.0 * self.count / self.spec.target if self.spec.target else 100.0

    @property
    def on_track(self) -> bool:
        return self.count >= self.expected

    @property
    def percent_shown(self) -> float:
        return figures.percent(self.percent)

    @property
    def expected_shown(self) -> int:
        return figures.whole(self.expected)

    @property
    def cumulative(self) -> list[int]:
        total, out = 0, []
        for n in self.monthly:
            total += n
            out.append(total)
        return out

    def as_dict(self) -> dict:
        return {
            "rule_id": self.spec.id,
            "label": self.spec.label,
            "year": self.spec.year,
            "target": self.spec.target,
            "count": self.count,
            "percent": self.percent_shown,
            "expected": round(self.expected, 1),
            "expected_whole": self.expected_shown,
            "on_track": self.on_track,
            "quality_only": self.spec.quality_only,
            "district_id": self.spec.district_id,
            "monthly": self.monthly,
        }


def evaluate(specs: list[RuleSpec], cube: Cube, fraction: float) -> list[RuleResult]:
    results = []
    for spec in specs:
        monthly = [0] * 12
        for (kind, month, stage_id, subject_id, rtype, district_id), n in cube.items():
            if kind == spec.kind and spec.matches(
                stage_id, subject_id, rtype, district_id
            ):
                monthly[month - 1] += n
        results.append(
            RuleResult(
                spec=spec,
                count=sum(monthly),
                monthly=monthly,
                expected=spec.target * fraction,
            )
        )
    return results


def quota_results(
    year: int, district_id: int | None = None, now=None, counter=None
) -> list[RuleResult]:
    """Every rule of the year with its count: the dashboard's main table."""
    counter = counter or get_counter()
    specs = rule_specs(year, district_id)
    if not specs:
        return []
    cube = counter.cube(year, district_id)
    return evaluate(specs, cube, elapsed_fraction(year, now))


def dashboard_counts(year: int, district_id=None, now=None, counter=None):
    """The rules' results and the covered knowledge points, for one page view.

    With the engine both come from one round trip (EngineCounter.prefetch).
    """
    counter = counter or get_counter()
    if hasattr(counter, "prefetch"):
        counter.prefetch(year, district_id)
    results = quota_results(year, district_id, now=now, counter=counter)
    return results, counter.covered_point_ids()


def naive_counts(year: int, district_id: int | None = None) -> dict[int, int]:
    """One COUNT query per rule: the baseline the benchmark compares with."""
    out = {}
    for spec in rule_specs(year, district_id):
        qs = CatalogEntryPage.objects.filter(spec.q())
        if district_id:
            qs = qs.filter(district_id=district_id)
        out[spec.id] = qs.count()
    return out


def breakdown(spec: RuleSpec, by: str, district_id=None, counter=None) -> list[dict]:
    """One rule's count per district / school / teacher, with names, largest first."""
    from django.contrib.auth import get_user_model

    counter = counter or get_counter()
    counts = counter.breakdown(spec, by, district_id)
    ids = [k for k in counts if k is not None]
    if by == "district":
        names = {d.pk: d.name for d in District.objects.filter(pk__in=ids)}
    elif by == "school":
        names = {s.pk: s.name for s in School.objects.filter(pk__in=ids)}
    else:
        names = {
            u.pk: u.get_full_name() or u.get_username()
            for u in get_user_model().objects.filter(pk__in=ids)
        }
    rows = [
        {"id": key, "name": names.get(key, str(NOT_GIVEN)), "count": n}
        for key, n in counts.items()
    ]
    rows.sort(key=lambda r: (-r["count"], r["name"]))
    return rows


def has_twin(year: int, stage_ids, **scope) -> bool:
    """Whether `year` has a rule with these stages and the same scope
    (district_id, subject_id, resource_type, quality_only)."""
    twins = QuotaRule.objects.filter(year=year, **scope)
    return any(
        set(t.stages.values_list("pk", flat=True)) == set(stage_ids) for t in twins
    )


def copy_rules_to_year(rules, year: int) -> list[QuotaRule]:
    """Copy rules (with their stages) to another year; skips existing twins."""
    created = []
    for rule in rules:
        stage_ids = set(rule.stages.values_list("pk", flat=True))
        scope = {
            "district_id": rule.district_id,
            "subject_id": rule.subject_id,
            "resource_type": rule.resource_type,
            "quality_only": rule.quality_only,
        }
        if has_twin(year, stage_ids, **scope):
            continue
        copy = QuotaRule.objects.create(
            year=year,
            **scope,
            target=rule.target,
            label=rule.label.replace(str(rule.year), str(year)),
            sort_order=rule.sort_order,
        )
        copy.stages.set(stage_ids)
        created.append(copy)
    return created
