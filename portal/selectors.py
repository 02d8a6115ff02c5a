"""Read queries of the teachers' site; every function runs a fixed number of
queries whatever the size of the catalog (no N+1)."""

import re
from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext

from catalog.knowledge_paths import path_ids
from catalog.models import (
    CatalogEntryPage,
    Grade,
    KnowledgePoint,
    KnowledgePointPlacement,
    ResourceAttachment,
    Stage,
    Subject,
    SubjectPage,
    Textbook,
    TextbookEdition,
    Unit,
    quality_flag,
)
from catalog.selectors import stage_subject_counts

from .cache import cached
from .viewcounts import pending_views

KpLink = CatalogEntryPage.knowledge_points.through

PAGE_SIZE = 24
# Deepest indent of a knowledge point under its unit that site.css styles.
MAX_INDENT = 8
SORTS = {
    "newest": ("-first_published_at", "-pk"),
    "views": ("-view_count", "-first_published_at"),
    "quality": ("-is_quality_pick", "-quality_pick__picked_at", "-first_published_at"),
}


def entry_cards():
    """Live entries with everything a list card shows, in one query."""
    return (
        CatalogEntryPage.objects.live()
        .select_related(
            "grade",
            "stage",
            "subject",
            "author",
            "school",
            "lessonpage__video",
        )
        .defer("summary")
        # The card's 精品 badge, from the QualityPick record in the same query.
        .annotate(is_quality_pick=quality_flag())
    )


def sorted_entries(qs, sort: str):
    if "is_quality_pick" not in qs.query.annotations:
        qs = qs.annotate(is_quality_pick=quality_flag())
    return qs.order_by(*SORTS.get(sort, SORTS["newest"]))


def entries_page(qs, params):
    """The ?p= page of `qs` in the ?sort= order (unknown sorts: newest)."""
    sort = params.get("sort", "newest")
    return Paginator(sorted_entries(qs, sort), PAGE_SIZE).get_page(params.get("p"))


# --- Home ---------------------------------------------------------------------


def cards_in_order(ordered, limit):
    """The first `limit` entries of `ordered` (a narrow queryset of live
    entries, filtered and sorted) as list cards, in two queries. One query
    joining the cards' tables to the sort made PostgreSQL join every live
    entry before keeping six (200 ms at 10,000 lessons, 5 ms this way)."""
    pks = list(ordered.values_list("pk", flat=True)[:limit])
    cards = entry_cards().in_bulk(pks)
    return [cards[pk] for pk in pks if pk in cards]


def newest_quality_picks(limit=8):
    return cards_in_order(
        CatalogEntryPage.objects.live()
        .filter(quality_pick__isnull=False)
        .order_by("-quality_pick__picked_at", "-first_published_at"),
        limit,
    )


def most_viewed(limit=8):
    return cards_in_order(
        sorted_entries(CatalogEntryPage.objects.live(), "views"), limit
    )


def featured_collections(limit=4):
    """Featured collections if the alliance app provides a selector for them."""
    try:
        from alliance import selectors as alliance_selectors
    except ImportError:
        return []
    fn = getattr(alliance_selectors, "featured_collections", None)
    if fn is None:
        return []
    try:
        return list(fn(limit=limit))
    except TypeError:  # older signature without limit
        return list(fn())[:limit]


# --- Browse tree --------------------------------------------------------------


def browse_overview():
    return stage_subject_counts()


_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_CHAPTER = re.compile(r"第([零一二三四五六七八九十百\d]+)[章单元节课]")


def chinese_number(text: str) -> int:
    """十九 → 19, 二十 → 20, 7 → 7 (enough for chapter and unit numbers)."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _NUMERALS.get(char, 0)
    return total + current


def unit_sort_key(unit):
    """Units in textbook order: sort_order when set, else 第N章/单元 in the title."""
    match = _CHAPTER.search(unit.title)
    return (unit.sort_order, chinese_number(match.group(1)) if match else 999, unit.pk)


def subject_tree(stage: Stage, subject: Subject) -> dict:
    """Grade → textbook → unit → knowledge point, with live entry counts.

    A node's count is the number of distinct live entries attached to it or
    to any knowledge point below it; nodes with zero are marked empty.
    Six queries in all.
    """
    points = list(
        KnowledgePoint.objects.filter(stage=stage, subject=subject).only(
            "id", "code", "name", "path", "depth", "grade_id", "parent_id"
        )
    )
    by_id = {kp.pk: kp for kp in points}
    entries_by_kp = defaultdict(set)
    links = KpLink.objects.filter(
        catalogentrypage__live=True,
        knowledgepoint__stage=stage,
        knowledgepoint__subject=subject,
    ).values_list("catalogentrypage_id", "knowledgepoint_id")
    for entry_id, kp_id in links:
        kp = by_id.get(kp_id)
        if kp is None:
            continue
        for ancestor_id in path_ids(kp.path):
            entries_by_kp[ancestor_id].add(entry_id)

    grade_counts = dict(
        CatalogEntryPage.objects.live()
        .filter(stage=stage, subject=subject, grade__isnull=False)
        .values_list("grade_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    textbooks = list(
        Textbook.objects.filter(subject=subject, grade__stage=stage)
        .select_related("edition")
        .order_by("grade__sort_order", "edition__sort_order", "volume")
    )
    units = sorted(
        Unit.objects.filter(textbook__in=[t.pk for t in textbooks]),
        key=unit_sort_key,
    )
    placements = defaultdict(list)
    placed = set()
    for unit_id, kp_id in KnowledgePointPlacement.objects.filter(
        unit__in=[u.pk for u in units]
    ).values_list("unit_id", "knowledge_point_id"):
        if kp_id in by_id:
            placements[unit_id].append(by_id[kp_id])
            placed.add(kp_id)

    def point_node(kp, base_depth):
        ids = entries_by_kp.get(kp.pk, set())
        return {
            "kp": kp,
            "count": len(ids),
            "indent": min(MAX_INDENT, max(0, kp.depth - base_depth)),
        }

    def unit_node(unit):
        kps = sorted(placements.get(unit.pk, []), key=lambda k: k.path)
        base = min((k.depth for k in kps), default=0)
        ids = set()
        for kp in kps:
            ids |= entries_by_kp.get(kp.pk, set())
        return {
            "unit": unit,
            "count": len(ids),
            "ids": ids,
            "points": [point_node(k, base) for k in kps],
        }

    units_by_textbook = defaultdict(list)
    for unit in units:
        units_by_textbook[unit.textbook_id].append(unit_node(unit))

    grades = []
    for grade in Grade.objects.filter(stage=stage).order_by("sort_order", "id"):
        books = []
        for tb in (t for t in textbooks if t.grade_id == grade.pk):
            unit_nodes = units_by_textbook.get(tb.pk, [])
            ids = set().union(*(u["ids"] for u in unit_nodes)) if unit_nodes else set()
            books.append({"textbook": tb, "count": len(ids), "units": unit_nodes})
        loose = sorted(
            (kp for kp in points if kp.grade_id == grade.pk and kp.pk not in placed),
            key=lambda k: k.path,
        )
        base = min((k.depth for k in loose), default=0)
        grades.append(
            {
                "grade": grade,
                "count": grade_counts.get(grade.pk, 0),
                "textbooks": books,
                "loose_points": [point_node(k, base) for k in loose],
            }
        )
    # The top of the knowledge map (domains such as 数与代数) has no grade.
    domains = [
        point_node(kp, 1)
        for kp in sorted(points, key=lambda k: k.path)
        if kp.grade_id is None and kp.parent_id is None
    ]
    total = CatalogEntryPage.objects.live().filter(stage=stage, subject=subject).count()
    return {
        "stage": stage,
        "subject": subject,
        "grades": grades,
        "domains": domains,
        "count": total,
    }


def subject_page_for(stage: Stage, subject: Subject):
    return SubjectPage.objects.live().filter(stage=stage, subject=subject).first()


# --- Knowledge point ------------------------------------------------------------


def knowledge_point_detail(kp: KnowledgePoint):
    """Ancestors and children (with counts) of a knowledge point, 3 queries."""
    ancestors = kp.ancestors()
    children = list(
        kp.children.annotate(
            n=Count(
                "entries",
                filter=Q(entries__live=True),
                distinct=True,
            )
        ).order_by("sort_order", "path")
    )
    return {"ancestors": ancestors, "children": children}


def entries_for_knowledge_point(kp: KnowledgePoint):
    """Live entries on this knowledge point or any point below it."""
    ids = CatalogEntryPage.objects.filter(
        knowledge_points__path__startswith=kp.path
    ).values("pk")
    return entry_cards().filter(pk__in=ids)


# --- Lesson page ----------------------------------------------------------------


def entry_detail(page):
    """Everything the lesson page shows besides the page itself.

    Cached per page and catalog version (it changes only when something is
    published); the view count is added fresh on every request.
    """
    detail = cached("entry-detail", page.pk, compute=lambda: _entry_detail(page))
    entry = detail["entry"]
    pending = pending_views([page.pk]).get(page.pk, 0)
    return {**detail, "views": (entry.view_count if entry else 0) + pending}


def _entry_detail(page):
    entry = (
        CatalogEntryPage.objects.filter(pk=page.pk)
        .select_related("author", "school", "district", "grade", "edition")
        .prefetch_related(
            "knowledge_points",
            Prefetch(
                "attachments",
                queryset=ResourceAttachment.objects.select_related("document"),
            ),
        )
        .first()
    )
    kps = list(entry.knowledge_points.all()) if entry else []
    return {
        "entry": entry,
        "knowledge_points": kps,
        "attachments": list(entry.attachments.all()) if entry else [],
        "related": related_entries(page, kps),
    }


def related_entries(page, kps, limit=6):
    if not kps:
        return []
    q = Q()
    for kp in kps:
        q |= Q(knowledge_points__path__startswith=kp.path)
    ids = CatalogEntryPage.objects.filter(q).exclude(pk=page.pk).values("pk").distinct()
    return cards_in_order(
        CatalogEntryPage.objects.live()
        .filter(pk__in=ids)
        .annotate(is_quality_pick=quality_flag())
        .order_by("-is_quality_pick", "-view_count", "-first_published_at"),
        limit,
    )


def upload_defaults(user) -> dict:
    """The upload form's defaults: the stage·subject, grade and edition of the
    teacher's own latest entry, and the current school year."""
    from catalog.academic_year import current_academic_year

    last = (
        CatalogEntryPage.objects.filter(Q(owner=user) | Q(author=user))
        .order_by("-latest_revision_created_at", "-pk")
        .values("stage_id", "subject_id", "grade_id", "edition_id")
        .first()
    ) or {}
    subject_page = None
    if last:
        subject_page = (
            SubjectPage.objects.filter(
                stage_id=last["stage_id"], subject_id=last["subject_id"]
            )
            .values_list("pk", flat=True)
            .first()
        )
    return {
        "subject_page": subject_page,
        "grade": last.get("grade_id"),
        "edition": last.get("edition_id"),
        "academic_year": current_academic_year(),
    }


# The containers media_pipeline accepts, as a teacher knows them.
UPLOAD_FORMATS = ("MP4", "MOV", "MKV", "WebM", "AVI", "FLV", "WMV", "MPEG")


def upload_rules() -> dict:
    """What a video must be, from the settings the pipeline checks against."""
    from django.conf import settings

    from media_pipeline.rules import rules

    limits = rules()
    return {
        "min_seconds": int(limits["MIN_DURATION"]),
        "max_minutes": int(limits["MAX_DURATION"] // 60),
        "min_lines": limits["MIN_LINES"],
        "max_gb": f"{settings.UPLOAD_MAX_SIZE / 1024**3:.1f}",
        "formats": gettext(", ").join(UPLOAD_FORMATS),
    }


def edit_choices(page) -> dict:
    """What the edit form offers for one entry: its stage's grades, the
    editions, and its stage and subject's knowledge points in tree order."""
    return {
        "grades": Grade.objects.filter(stage_id=page.stage_id).order_by("sort_order"),
        "editions": TextbookEdition.objects.order_by("sort_order", "pk"),
        "points": KnowledgePoint.objects.filter(
            stage_id=page.stage_id, subject_id=page.subject_id
        ).order_by("path"),
    }
