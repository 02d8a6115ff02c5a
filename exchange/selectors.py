"""Which entries the data provider exposes, and their datestamps and sets.

Only published, public entries (live, no view restriction on them or above
them) are ever records; an entry that was exposed once and is not any more is
a deleted record (its `ExposedEntry` row is the tombstone).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import DateTimeField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from catalog.models import CatalogEntryPage, Stage, SubjectPage

from .models import ExposedEntry

SET_SEP = ":"


def set_spec_for(stage_code: str, subject_code: str) -> str:
    """`stage:junior:subject:maths`: a subject set inside its stage's set."""
    return f"stage{SET_SEP}{stage_code}{SET_SEP}subject{SET_SEP}{subject_code}"


def stage_set_spec(stage_code: str) -> str:
    return f"stage{SET_SEP}{stage_code}"


def set_specs_of(set_spec: str) -> list[str]:
    """The sets a record belongs to: its stage's and its subject's."""
    if not set_spec:
        return []
    parts = set_spec.split(SET_SEP)
    return [SET_SEP.join(parts[:2]), set_spec]


def exposed_entries():
    """Published and public entries, each with `oai_datestamp`."""
    stamp = ExposedEntry.objects.filter(page_id=OuterRef("pk")).values("datestamp")
    return (
        CatalogEntryPage.objects.live()
        .public()
        .annotate(
            oai_datestamp=Coalesce(
                Subquery(stamp[:1], output_field=DateTimeField()),
                "last_published_at",
                "first_published_at",
            )
        )
    )


def tombstones():
    """Entries exposed once and no longer published or public."""
    return ExposedEntry.objects.exclude(page_id__in=exposed_entries().values("pk"))


def all_sets() -> list[tuple[str, str]]:
    """(setSpec, setName) for every stage and every stage's subject page."""
    sets = []
    subjects = {}
    for page in SubjectPage.objects.select_related("stage", "subject").order_by(
        "stage__sort_order", "subject__sort_order"
    ):
        subjects.setdefault(page.stage_id, []).append(page)
    for stage in Stage.objects.order_by("sort_order", "pk"):
        sets.append((stage_set_spec(stage.code), stage.name))
        for page in subjects.get(stage.pk, []):
            sets.append(
                (
                    set_spec_for(stage.code, page.subject.code),
                    f"{stage.name} {page.subject.name}",
                )
            )
    return sets


def filter_entries(qs, *, set_spec=None, start=None, end=None):
    """Entries in `set_spec` with start <= datestamp < end."""
    if set_spec:
        parts = set_spec.split(SET_SEP)
        qs = qs.filter(stage__code=parts[1])
        if len(parts) == 4:
            qs = qs.filter(subject__code=parts[3])
    return _dated(qs, "oai_datestamp", start, end)


def filter_tombstones(qs, *, set_spec=None, start=None, end=None):
    if set_spec:
        qs = qs.filter(
            Q(set_spec=set_spec) | Q(set_spec__startswith=set_spec + SET_SEP)
        )
    return _dated(qs, "datestamp", start, end)


def _dated(qs, field: str, start: datetime | None, end: datetime | None):
    if start is not None:
        qs = qs.filter(**{f"{field}__gte": start})
    if end is not None:
        qs = qs.filter(**{f"{field}__lt": end})
    return qs


def earliest_datestamp() -> datetime | None:
    dates = [
        d
        for d in (
            exposed_entries()
            .order_by("oai_datestamp")
            .values_list("oai_datestamp", flat=True)
            .first(),
            tombstones()
            .order_by("datestamp")
            .values_list("datestamp", flat=True)
            .first(),
        )
        if d is not None
    ]
    return min(dates) if dates else None
