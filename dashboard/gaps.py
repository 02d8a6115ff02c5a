"""The gap list's filter, sort and pages, read once for the page and both
exports, so a filtered, sorted export lists exactly the rows the page shows
(all pages of them).

Every parameter comes from the query string and is read defensively: an id is
1–18 ASCII digits naming an existing row (`catalog.ids.parse_id`, so `²` or
a 30-digit number never reaches the database); an unknown sort key or
direction falls back to the default silently; a page number out of range or
unreadable gives the last or the first page. An unknown stage, subject or
grade, or a grade of another stage, is dropped with one sentence saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from catalog.ids import parse_id
from catalog.models import Grade, Stage, Subject

PER_PAGE = 50
# Shown for a point without a grade, on the page and in both exports.
NO_GRADE = "—"
# The tree order (the path), as the list always came; the others by column.
DEFAULT_SORT = "path"
SORT_LABELS = {  # in the order of the table's columns
    "code": _("Code"),
    "name": _("Knowledge point"),
    "grade": _("Grade"),
    "path": _("Path"),
}
DIRECTIONS = ("asc", "desc")

UNKNOWN_STAGE = _("Unknown stage; the gap list shows every stage.")
UNKNOWN_SUBJECT = _("Unknown subject; the gap list shows every subject.")
UNKNOWN_GRADE = _("Unknown grade; the gap list shows every grade.")
FOREIGN_GRADE = _(
    "That grade is not a grade of the selected stage; the gap list shows every grade."
)


def _natural(text: str) -> list:
    """KP-2 before KP-10: digit runs compare as numbers (split() puts text at
    even and digits at odd positions, so the list compares item by item)."""
    return [int(p) if i % 2 else p for i, p in enumerate(re.split(r"(\d+)", text))]


def _pinyin(text: str) -> tuple:
    """Chinese names in dictionary (pinyin) order, as people look them up."""
    return (lazy_pinyin(text), text)


@dataclass
class GapQuery:
    stage: Stage | None = None
    subject: Subject | None = None
    grade: Grade | None = None
    sort: str = DEFAULT_SORT
    descending: bool = False
    errors: list[str] = field(default_factory=list)

    def params(self, **changes) -> dict:
        """The cleaned query-string parameters (not the page), for links."""
        values = {
            "gap_stage": self.stage.pk if self.stage else None,
            "gap_subject": self.subject.pk if self.subject else None,
            "gap_grade": self.grade.pk if self.grade else None,
            "gap_sort": self.sort if self.sort != DEFAULT_SORT else None,
            "gap_dir": "desc" if self.descending else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}

    def keeps(self, gap: dict) -> bool:
        return (
            (self.stage is None or gap["stage_id"] == self.stage.pk)
            and (self.subject is None or gap["subject_id"] == self.subject.pk)
            and (self.grade is None or gap["grade_id"] == self.grade.pk)
        )

    def describe(self) -> str:
        """The scope and order in words, for the exports' readers."""
        scope = [str(o) for o in (self.stage, self.subject, self.grade) if o]
        order = f"{SORT_LABELS[self.sort]} {'↓' if self.descending else '↑'}"
        return " · ".join([*scope, order]) if scope else f"{_('All')} · {order}"


def _row(model, value, unknown, errors):
    if value in (None, ""):
        return None
    pk = parse_id(value)
    obj = model.objects.filter(pk=pk).first() if pk is not None else None
    if obj is None:
        errors.append(str(unknown))
    return obj


def read_gap_query(get) -> GapQuery:
    """The gap list's filter and order from a request's GET parameters."""
    errors: list[str] = []
    stage = _row(Stage, get.get("gap_stage"), UNKNOWN_STAGE, errors)
    subject = _row(Subject, get.get("gap_subject"), UNKNOWN_SUBJECT, errors)
    grade = _row(Grade, get.get("gap_grade"), UNKNOWN_GRADE, errors)
    if grade is not None and stage is not None and grade.stage_id != stage.pk:
        errors.append(str(FOREIGN_GRADE))
        grade = None
    sort = get.get("gap_sort")
    return GapQuery(
        stage=stage,
        subject=subject,
        grade=grade,
        sort=sort if sort in SORT_LABELS else DEFAULT_SORT,
        descending=get.get("gap_dir") == "desc",
        errors=errors,
    )


def select_gaps(gaps: list[dict], query: GapQuery) -> list[dict]:
    """The gaps in the query's scope, in its order. Python's sort is stable,
    so rows that tie (same grade) stay in tree order, in both directions."""
    rows = [g for g in gaps if query.keeps(g)]
    if query.sort == "path":
        return rows[::-1] if query.descending else rows
    if query.sort == "grade":
        order = {
            pk: (so, pk) for pk, so in Grade.objects.values_list("pk", "sort_order")
        }
        missing = (1 << 16, 0)  # ungraded points after every grade
        key = lambda g: order.get(g["grade_id"], missing)  # noqa: E731
    elif query.sort == "code":
        key = lambda g: _natural(g["code"])  # noqa: E731
    else:
        key = lambda g: _pinyin(g["name"])  # noqa: E731
    return sorted(rows, key=key, reverse=query.descending)


def page_number(value, pages: int) -> int:
    """1-based page from the query string: past the end → the last page,
    anything that is not a plain number ≥ 1 → the first."""
    text = str(value or "")
    if not re.fullmatch(r"[0-9]{1,400}", text):
        return 1
    # A long number is past any end; int() of it would be slow or refused.
    number = int(text) if len(text) < 10 else pages
    return min(max(number, 1), pages)


@dataclass
class GapPage:
    rows: list[dict]
    number: int
    pages: int
    total: int
    first_index: int  # 1-based position of the first row shown

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.rows) - 1


def paginate(rows: list[dict], value, per_page: int | None = None) -> GapPage:
    per_page = per_page or PER_PAGE
    pages = max(1, -(-len(rows) // per_page))
    number = page_number(value, pages)
    start = (number - 1) * per_page
    return GapPage(rows[start : start + per_page], number, pages, len(rows), start + 1)


def query_string(params: dict) -> str:
    return urlencode(params)
