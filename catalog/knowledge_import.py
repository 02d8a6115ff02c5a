"""Import of the knowledge graph (知识图谱) from CSV, XLSX or JSON.

The whole file is checked before anything is written: one bad row refuses the
file, and every bad row is reported with its line number and a reason in
Chinese and English. Good files are upserted by `code` in one transaction, so
running the same file twice changes nothing. Format: docs/knowledge-import.md.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from zipfile import BadZipFile

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import (
    Grade,
    KnowledgePoint,
    KnowledgePointPlacement,
    Stage,
    Subject,
    Textbook,
    TextbookEdition,
    Unit,
)

COLUMNS = [
    "code",
    "name",
    "parent_code",
    "stage",
    "subject",
    "grade",
    "edition",
    "unit",
]
REQUIRED = ["code", "name", "stage", "subject"]
SUPPORTED_SUFFIXES = {".csv", ".xlsx", ".json"}

# Stable reason codes and their messages (English msgids; the Chinese is in
# catalog's .po), formatted after translation.
REASONS = {
    "missing_column": _("Missing column %(detail)s."),
    "missing_value": _("Missing required value %(detail)s."),
    "duplicate_code": _("Duplicate code %(detail)s (same edition as line %(other)s)."),
    "conflicting_row": _(
        "Code %(detail)s disagrees with line %(other)s on name, parent, stage or "
        "subject."
    ),
    "unknown_parent": _("Unknown parent %(detail)s."),
    "cycle": _("The parent chain forms a cycle: %(detail)s."),
    "unknown_stage": _("Unknown stage %(detail)s."),
    "unknown_subject": _("Unknown subject %(detail)s."),
    "subject_not_in_stage": _("Subject %(detail)s is not taught in that stage."),
    "unknown_grade": _("Unknown grade %(detail)s."),
    "grade_not_in_stage": _("Grade %(detail)s does not belong to that stage."),
    "unknown_edition": _("Unknown textbook edition %(detail)s."),
    "unit_without_edition": _("A unit is given without a textbook edition."),
    "unit_without_grade": _("A unit is given without a grade."),
    "too_long": _("%(detail)s is too long."),
    "unreadable": _("The file cannot be read: %(detail)s."),
    "unsupported_format": _(
        "Unsupported file format %(detail)s (CSV, XLSX and JSON are supported)."
    ),
    "empty": _("The file has no data rows."),
}
AT_LINE = _("Line %(line)s: %(message)s")


@dataclass
class RowError:
    line: int | None
    reason: str
    detail: str = ""
    other: int | str = ""

    @property
    def message(self) -> str:
        """The reason in the active language, details filled in."""
        return str(REASONS[self.reason]) % {"detail": self.detail, "other": self.other}

    def __str__(self) -> str:
        if not self.line:
            return self.message
        return str(AT_LINE) % {"line": self.line, "message": self.message}


@dataclass
class Row:
    line: int
    code: str
    name: str
    parent_code: str
    stage: str
    subject: str
    grade: str
    edition: str
    unit: str


@dataclass
class ImportResult:
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    placements_created: int = 0
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRefused(Exception):
    def __init__(self, result: ImportResult):
        super().__init__("\n".join(str(e) for e in result.errors))
        self.result = result


# --- Reading ------------------------------------------------------------------


def read_rows(name: str, content: bytes) -> tuple[list[Row], list[RowError]]:
    """Parse a file's bytes into rows; the suffix of `name` picks the format."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return [], [RowError(None, "unsupported_format", suffix or name)]
    try:
        if suffix == ".csv":
            records = _read_csv(content)
        elif suffix == ".xlsx":
            records = _read_xlsx(content)
        else:
            records = _read_json(content)
    except (
        ValueError,
        KeyError,
        OSError,
        UnicodeDecodeError,
        csv.Error,
        BadZipFile,
    ) as exc:
        return [], [RowError(None, "unreadable", str(exc)[:200])]
    return _to_rows(records)


def _read_csv(content: bytes):
    text = content.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    # Line numbers as a spreadsheet shows them: the header is line 1.
    return header, [(index + 2, record) for index, record in enumerate(reader)]


def _read_xlsx(content: bytes):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip().lower() for h in next(rows, [])]
    records = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        records.append((number, dict(zip(header, values, strict=False))))
    workbook.close()
    return header, records


def _read_json(content: bytes):
    data = json.loads(content.decode("utf-8-sig"))
    if isinstance(data, dict):
        data = data.get("knowledge_points", data.get("items"))
    if not isinstance(data, list):
        raise ValueError("expected a list of objects")
    header = set()
    records = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ValueError(f"item {number} is not an object")
        header.update(k.lower() for k in item)
        records.append((number, {k.lower(): v for k, v in item.items()}))
    return sorted(header) if records else COLUMNS, records


def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _to_rows(parsed) -> tuple[list[Row], list[RowError]]:
    header, records = parsed
    missing = [c for c in REQUIRED + ["parent_code"] if c not in header]
    if missing:
        return [], [RowError(1, "missing_column", ", ".join(missing))]
    rows = [
        Row(line=line, **{c: _clean(record.get(c)) for c in COLUMNS})
        for line, record in records
    ]
    if not rows:
        return [], [RowError(None, "empty")]
    return rows, []


# --- Checking -----------------------------------------------------------------


class _Lookups:
    """Taxonomy lookups by Chinese name, English name or code."""

    def __init__(self):
        self.stages = self._index(Stage.objects.all())
        self.subjects = self._index(Subject.objects.prefetch_related("stages"))
        self.grades = self._index(Grade.objects.all())
        self.editions = self._index(TextbookEdition.objects.all())

    @staticmethod
    def _index(queryset):
        index = {}
        for obj in queryset:
            for key in (obj.name, obj.code, getattr(obj, "name_en", "")):
                if key:
                    index[key.lower()] = obj
        return index

    @staticmethod
    def find(index, value):
        return index.get(value.lower()) if value else None


def check_rows(rows: list[Row]) -> list[RowError]:
    errors: list[RowError] = []
    lookups = _Lookups()
    first_by_code: dict[str, Row] = {}
    seen_placement: dict[tuple[str, str], int] = {}
    name_max = KnowledgePoint._meta.get_field("name").max_length
    code_max = KnowledgePoint._meta.get_field("code").max_length

    for row in rows:
        for column in REQUIRED:
            if not getattr(row, column):
                errors.append(RowError(row.line, "missing_value", column))
        if not row.code:
            continue
        if len(row.code) > code_max:
            errors.append(RowError(row.line, "too_long", "code"))
        if len(row.name) > name_max:
            errors.append(RowError(row.line, "too_long", "name"))

        key = (row.code, row.edition)
        if key in seen_placement:
            errors.append(
                RowError(row.line, "duplicate_code", row.code, seen_placement[key])
            )
            continue
        seen_placement[key] = row.line
        first = first_by_code.setdefault(row.code, row)
        if first is not row and (
            (first.name, first.parent_code, first.stage, first.subject)
            != (row.name, row.parent_code, row.stage, row.subject)
        ):
            errors.append(RowError(row.line, "conflicting_row", row.code, first.line))
            continue
        errors.extend(_check_taxonomy(row, lookups))

    errors.extend(_check_parents(rows, first_by_code))
    return sorted(errors, key=lambda e: e.line or 0)


def _check_taxonomy(row: Row, lookups: _Lookups) -> list[RowError]:
    errors = []
    stage = lookups.find(lookups.stages, row.stage)
    subject = lookups.find(lookups.subjects, row.subject)
    if row.stage and stage is None:
        errors.append(RowError(row.line, "unknown_stage", row.stage))
    if row.subject and subject is None:
        errors.append(RowError(row.line, "unknown_subject", row.subject))
    if stage and subject and stage not in subject.stages.all():
        errors.append(RowError(row.line, "subject_not_in_stage", row.subject))
    if row.grade:
        grade = lookups.find(lookups.grades, row.grade)
        if grade is None:
            errors.append(RowError(row.line, "unknown_grade", row.grade))
        elif stage and grade.stage_id != stage.pk:
            errors.append(RowError(row.line, "grade_not_in_stage", row.grade))
    if row.edition and lookups.find(lookups.editions, row.edition) is None:
        errors.append(RowError(row.line, "unknown_edition", row.edition))
    if row.unit and not row.edition:
        errors.append(RowError(row.line, "unit_without_edition"))
    if row.unit and not row.grade:
        errors.append(RowError(row.line, "unit_without_grade"))
    return errors


def _check_parents(rows: list[Row], first_by_code: dict[str, Row]) -> list[RowError]:
    """Every parent must exist (in the file or the database) and no chain loops."""
    errors = []
    parent_of = dict(
        KnowledgePoint.objects.filter(parent__isnull=False).values_list(
            "code", "parent__code"
        )
    )
    known = set(KnowledgePoint.objects.values_list("code", flat=True))
    for code, row in first_by_code.items():
        parent_of[code] = row.parent_code or None
    known |= set(first_by_code)

    reported_cycles = set()
    for code, row in first_by_code.items():
        if row.parent_code and row.parent_code not in known:
            errors.append(RowError(row.line, "unknown_parent", row.parent_code))
            continue
        chain, current = [code], parent_of.get(code)
        while current and current not in chain:
            chain.append(current)
            current = parent_of.get(current)
        if current:  # walked back into the chain: a cycle
            loop = chain[chain.index(current) :]
            if frozenset(loop) not in reported_cycles:
                reported_cycles.add(frozenset(loop))
                errors.append(RowError(row.line, "cycle", " → ".join(loop + [current])))
    return errors


# --- Applying -----------------------------------------------------------------


def import_knowledge_points(
    name: str, content: bytes, *, dry_run=False
) -> ImportResult:
    """Check a file and, unless `dry_run`, upsert it. Raises ImportRefused."""
    rows, errors = read_rows(name, content)
    result = ImportResult(rows=rows, errors=errors)
    if not errors:
        result.errors = check_rows(rows)
    if result.errors:
        raise ImportRefused(result)
    with transaction.atomic():
        _apply(rows, result)
        if dry_run:
            transaction.set_rollback(True)
        else:
            result.applied = True
    return result


def _ordered_parents_first(first_by_code: dict[str, Row]) -> list[Row]:
    ordered, placed = [], set()

    def visit(row: Row):
        if row.code in placed:
            return
        parent = first_by_code.get(row.parent_code)
        if parent is not None:
            visit(parent)
        placed.add(row.code)
        ordered.append(row)

    for row in first_by_code.values():
        visit(row)
    return ordered


def _apply(rows: list[Row], result: ImportResult) -> None:
    lookups = _Lookups()
    first_by_code: dict[str, Row] = {}
    for row in rows:
        first_by_code.setdefault(row.code, row)
    existing = KnowledgePoint.objects.in_bulk(list(first_by_code), field_name="code")

    for order, row in enumerate(_ordered_parents_first(first_by_code)):
        values = {
            "name": row.name,
            "stage": lookups.find(lookups.stages, row.stage),
            "subject": lookups.find(lookups.subjects, row.subject),
            "grade": lookups.find(lookups.grades, row.grade),
            "parent": existing.get(row.parent_code)
            or (
                KnowledgePoint.objects.get(code=row.parent_code)
                if row.parent_code
                else None
            ),
            "sort_order": order,
        }
        point = existing.get(row.code)
        if point is None:
            point = KnowledgePoint(code=row.code, **values)
            point.save()
            existing[row.code] = point
            result.created.append(row.code)
        elif any(getattr(point, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(point, key, value)
            point.save()
            result.updated.append(row.code)
        else:
            result.unchanged.append(row.code)

    for row in rows:
        if row.edition:
            result.placements_created += _place(row, existing[row.code], lookups)


def _place(row: Row, point: KnowledgePoint, lookups: _Lookups) -> int:
    edition = lookups.find(lookups.editions, row.edition)
    unit = None
    if row.unit:
        volume, _sep, title = row.unit.partition(" ")
        if not volume.endswith("册") or not title:
            volume, title = row.grade, row.unit
        textbook, _created = Textbook.objects.get_or_create(
            edition=edition,
            subject=point.subject,
            volume=volume,
            defaults={"grade": point.grade},
        )
        unit, _created = Unit.objects.get_or_create(textbook=textbook, title=title)
    placement, created = KnowledgePointPlacement.objects.get_or_create(
        knowledge_point=point, edition=edition, defaults={"unit": unit}
    )
    if not created and placement.unit_id != (unit.pk if unit else None):
        placement.unit = unit
        placement.save(update_fields=["unit"])
    return int(created)
