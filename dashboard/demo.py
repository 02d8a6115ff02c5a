"""The seed bureau's quota table (../shared/DOMAIN.md), loaded per year.

Idempotent: a rule identical in year, scope, stages, subject, type and quality
flag is left alone (its target may have been edited in the admin).
"""

from catalog.models import Stage, Subject

from .models import QuotaResourceType as T
from .models import QuotaRule
from .services import has_twin

DEFAULT_YEARS = (2024, 2025, 2026)

# (stage codes, subject code or None = all, resource type, quality only, target)
SEED_RULES = [
    (("preschool",), None, T.GAME_EXAMPLE, False, 300),
    *(
        (("primary",), s, T.SYNCHRONOUS, False, 300)
        for s in ("chinese", "maths", "english")
    ),
    (("primary",), None, T.MICRO_LESSON, True, 1200),
    *(
        (("junior", "senior"), s, T.SYNCHRONOUS, False, 300)
        for s in ("chinese", "maths", "english")
    ),
    *(
        (("junior", "senior"), s, T.SYNCHRONOUS, False, 100)
        for s in ("chemistry", "physics", "history", "geography", "biology")
    ),
    (("junior", "senior"), None, T.MICRO_LESSON, True, 1800),
]


def seed_quota_rules(years=DEFAULT_YEARS) -> int:
    """Create the seed rules for each year; returns how many were created."""
    stages = {s.code: s for s in Stage.objects.all()}
    subjects = {s.code: s for s in Subject.objects.all()}
    created = 0
    for year in years:
        for order, (stage_codes, subject_code, rtype, quality, target) in enumerate(
            SEED_RULES
        ):
            wanted = {stages[c].pk for c in stage_codes}
            scope = {
                "district_id": None,
                "subject_id": subjects[subject_code].pk if subject_code else None,
                "resource_type": rtype,
                "quality_only": quality,
            }
            if has_twin(year, wanted, **scope):
                continue
            rule = QuotaRule.objects.create(
                year=year, **scope, target=target, sort_order=order
            )
            rule.stages.set(wanted)
            created += 1
    return created
