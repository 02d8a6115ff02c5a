"""知识点覆盖: which knowledge points have a live quality micro-lesson.

Rule (docs/dashboard.md): the points counted are every knowledge point at
depth ≥ 2 of its subject's tree (units and the points under them; the roots
are domain headings such as 数与代数 that nobody records a lesson on). A point
is covered when a live quality micro-lesson (精品微课) is attached to it or to
one of its descendants. Coverage is the current state, not per year.

Because `KnowledgePoint.path` lists every ancestor's id, "attached to a
descendant" is computed without a query per point: the ids in the paths of
the attached points are exactly the covered points.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from catalog.knowledge_paths import path_ids
from catalog.models import (
    CatalogEntryPage,
    Grade,
    KnowledgePoint,
    ResourceType,
    Stage,
    Subject,
)

MIN_DEPTH = 2

# The column of entries without a grade.
NOT_GRADED = _("Not graded")


def attached_point_ids_db() -> set[int]:
    through = CatalogEntryPage.knowledge_points.through
    return set(
        through.objects.filter(
            catalogentrypage__live=True,
            catalogentrypage__quality_pick__isnull=False,
            catalogentrypage__resource_type=ResourceType.MICRO_LESSON,
        )
        .values_list("knowledgepoint_id", flat=True)
        .distinct()
    )


@dataclass
class CoverageCell:
    stage_id: int
    subject_id: int
    grade_id: int | None
    total: int = 0
    covered: int = 0

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.total if self.total else 0.0


@dataclass
class Coverage:
    cells: list[CoverageCell] = field(default_factory=list)
    gaps: list[dict] = field(default_factory=list)
    total: int = 0
    covered: int = 0

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.total if self.total else 0.0


def coverage(
    subject_id=None,
    grade_id=None,
    stage_id=None,
    edition_id=None,
    attached: set[int] | None = None,
    with_gaps: bool = True,
) -> Coverage:
    """Covered / total per (stage, subject, grade) and the gap list.

    `attached` (ids of points with a live quality micro-lesson) may come from
    the search engine; by default it is one database query. With an edition,
    only the points placed in that edition's textbooks are counted.
    """
    if attached is None:
        attached = attached_point_ids_db()
    points = KnowledgePoint.objects.all()
    if subject_id:
        points = points.filter(subject_id=subject_id)
    if stage_id:
        points = points.filter(stage_id=stage_id)
    rows = list(
        points.values_list(
            "pk", "path", "depth", "name", "code", "stage_id", "subject_id", "grade_id"
        )
    )
    placed = None
    if edition_id:
        placed = set(
            KnowledgePoint.objects.filter(
                placements__edition_id=edition_id
            ).values_list("pk", flat=True)
        )
    covered_ids: set[int] = set()
    # A subject's tree stays inside the subject, so the rows loaded above hold
    # every attached point that can cover one of them.
    for pk, path, *_rest in rows:
        if pk in attached:
            covered_ids.update(path_ids(path))
    names = {r[0]: r[3] for r in rows}
    cells: dict[tuple, CoverageCell] = {}
    result = Coverage()
    for pk, path, depth, name, code, stage, subject, grade in rows:
        if depth < MIN_DEPTH or (grade_id and grade != grade_id):
            continue
        if placed is not None and pk not in placed:
            continue
        cell = cells.get((stage, subject, grade))
        if cell is None:
            cell = cells[(stage, subject, grade)] = CoverageCell(stage, subject, grade)
        cell.total += 1
        result.total += 1
        if pk in covered_ids:
            cell.covered += 1
            result.covered += 1
        elif with_gaps:
            ancestors = [names.get(i) or "?" for i in path_ids(path)]
            result.gaps.append(
                {
                    "id": pk,
                    "code": code,
                    "name": name,
                    "path": path,
                    "path_names": " › ".join(ancestors),
                    "depth": depth,
                    "stage_id": stage,
                    "subject_id": subject,
                    "grade_id": grade,
                }
            )
    result.cells = list(cells.values())
    return result


def heatmap(cov: Coverage) -> dict:
    """Subject × grade matrix for the chart: {"subjects", "grades", "data"}."""
    grade_ids = sorted({c.grade_id for c in cov.cells if c.grade_id})
    grades = {g.pk: g for g in Grade.objects.filter(pk__in=grade_ids)}
    grade_order = sorted(grades.values(), key=lambda g: (g.sort_order, g.pk))
    if any(c.grade_id is None for c in cov.cells):
        grade_order.append(None)
    subject_keys = sorted({(c.stage_id, c.subject_id) for c in cov.cells})
    stages = Stage.objects.in_bulk({s for s, _ in subject_keys})
    subjects = Subject.objects.in_bulk({s for _, s in subject_keys})
    subject_keys.sort(
        key=lambda k: (stages[k[0]].sort_order, subjects[k[1]].sort_order)
    )
    by_key = defaultdict(lambda: [0, 0])
    for c in cov.cells:
        by_key[(c.stage_id, c.subject_id, c.grade_id)][0] += c.covered
        by_key[(c.stage_id, c.subject_id, c.grade_id)][1] += c.total
    data = []
    for y, (stage_id, subject_id) in enumerate(subject_keys):
        for x, grade in enumerate(grade_order):
            covered, total = by_key.get(
                (stage_id, subject_id, grade.pk if grade else None), (0, 0)
            )
            if total:
                data.append([x, y, round(100 * covered / total, 1), covered, total])
    return {
        "grades": [g.name if g else str(NOT_GRADED) for g in grade_order],
        "subjects": [f"{stages[s].name}{subjects[j].name}" for s, j in subject_keys],
        "data": data,
    }
