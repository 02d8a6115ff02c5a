"""What a catalog entry contributes to the search index (called from the model).

Kept beside the models so catalog/models/pages.py only lists the fields.
"""

from __future__ import annotations

from text_analysis.chinese import pinyin_text

from .knowledge_paths import path_ids


def related_text(entry) -> str:
    """Names searchers use that live on related rows: knowledge points and their
    ancestors, tags, author, school, district, stage/subject/grade/edition names
    and subject synonyms."""
    parts: list[str] = []
    # Sorted: the document must not depend on the database's row order
    # (reconcile compares documents).
    points = sorted(entry.knowledge_points.all(), key=lambda p: p.pk)
    parts.extend(p.name for p in points)
    parts.extend(_ancestor_names(entry, points))
    parts.extend(sorted(tag.name for tag in entry.tags.all()))
    author = entry.author
    if author is not None:
        parts.append(author.get_full_name() or author.get_username())
    for rel in ("school", "district", "stage", "subject", "grade", "edition"):
        obj = getattr(entry, rel, None)
        if obj is not None:
            parts.append(obj.name)
    subject = getattr(entry, "subject", None)
    if subject is not None and subject.synonyms:
        parts.append(subject.synonyms)
    return " ".join(dict.fromkeys(p for p in parts if p))


def pinyin_keys(entry) -> str:
    """Pinyin keys (text_analysis.chinese.pinyin_text) of what a teacher
    names a lesson by: title, summary, tags, knowledge points and their
    ancestors."""
    points = sorted(entry.knowledge_points.all(), key=lambda p: p.pk)
    names = [entry.title, entry.summary or ""]
    names += sorted(tag.name for tag in entry.tags.all())
    names += [p.name for p in points] + list(_ancestor_names(entry, points))
    return " ".join(pinyin_text(n) for n in dict.fromkeys(names) if n)


def _ancestor_names(entry, points) -> list[str]:
    """Names of the ancestors of the entry's knowledge points, read once per
    entry object (the related text and the pinyin keys both need them)."""
    cached = entry.__dict__.get("_search_ancestor_names")
    if cached is not None:
        return cached
    ancestor_ids = set(knowledge_point_tree_ids(entry)) - {p.pk for p in points}
    names = (
        list(
            entry.knowledge_points.model.objects.filter(pk__in=ancestor_ids)
            .order_by("path")
            .values_list("name", flat=True)
        )
        if ancestor_ids
        else []
    )
    entry.__dict__["_search_ancestor_names"] = names
    return names


def knowledge_point_ids(entry) -> list[int]:
    """Direct knowledge points (the knowledge-point facet counts these)."""
    return sorted(p.pk for p in entry.knowledge_points.all())


def knowledge_point_tree_ids(entry) -> list[int]:
    """Direct knowledge points and all their ancestors: filtering on a point
    then finds entries on any of its descendants."""
    ids: set[int] = set()
    for point in entry.knowledge_points.all():
        ids.add(point.pk)
        ids.update(path_ids(point.path))  # the ancestors, without a query
    return sorted(ids)
