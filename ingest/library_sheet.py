"""The metadata sheet of a library (XLSX or CSV): columns, rows, the template.

Headers may be Chinese or English (the template has both forms in its help
row). A cell holding a formula (`=HYPERLINK(…)`, `=cmd|…`) is never
evaluated or kept: the row is refused. Values written back into reports go
through `report_cell`, so a title starting with `=`, `+`, `-` or `@` cannot
become a formula in the spreadsheet a report is opened in.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook

# field -> header names it may have (compared after NFKC and lower-casing).
COLUMNS = {
    "title": ("标题", "title"),
    "stage": ("学段", "stage"),
    "subject": ("学科", "subject"),
    "grade": ("年级", "grade"),
    "edition": ("教材版本", "edition"),
    "knowledge_points": ("知识点", "knowledge points", "knowledge_points"),
    "author": ("作者", "author"),
    "school": ("学校", "school"),
    "year": ("学年", "year"),
    "resource_type": ("资源类型", "resource type", "resource_type"),
    "video": ("视频文件", "video"),
    "attachments": ("附件", "attachments"),
}
TEMPLATE_HEADERS = [names[0] for names in COLUMNS.values()]
TEMPLATE_EXAMPLE = [
    "勾股定理的证明",
    "初中",
    "数学",
    "八年级",
    "人教版",
    "MJ-08-17；勾股定理的逆定理",
    "王老师",
    "第一中学",
    "2025",
    "微课",
    "videos/gougu.mp4",
    "plans/gougu-教案.docx；exercises/gougu-练习.pdf",
]
FORMULA_STARTS = ("=",)
REPORT_UNSAFE_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 100_000
MAX_CELL_CHARS = 2000


@dataclass
class SheetRow:
    number: int  # the spreadsheet's row number (header = 1)
    values: dict[str, str]
    formulas: list[str] = field(default_factory=list)  # fields holding one


class SheetError(ValueError):
    pass


def _key(header) -> str:
    return unicodedata.normalize("NFKC", str(header or "")).strip().lower()


def _columns(headers) -> dict[int, str]:
    wanted = {_key(name): f for f, names in COLUMNS.items() for name in names}
    found = {}
    for index, header in enumerate(headers):
        name = wanted.get(_key(header))
        if name and name not in found.values():
            found[index] = name
    if "title" not in found.values():
        raise SheetError("title")
    return found


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)[:MAX_CELL_CHARS]


def read_sheet(name: str, data: bytes) -> list[SheetRow]:
    lower = name.lower()
    if lower.endswith(".csv"):
        text = data.decode("utf-8-sig")
        grid = list(csv.reader(io.StringIO(text)))
        formula_cells = None
    elif lower.endswith((".xlsx", ".xlsm")):
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        grid, formula_cells = [], set()
        for r, row in enumerate(sheet.iter_rows(max_row=MAX_ROWS + 1)):
            values = []
            for c, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    formula_cells.add((r, c))
                values.append(cell.value)
            grid.append(values)
        workbook.close()
    else:
        raise SheetError("format")
    if not grid:
        raise SheetError("empty")
    columns = _columns(grid[0])
    rows = []
    for r, raw in enumerate(grid[1 : MAX_ROWS + 1], start=1):
        values, formulas = {}, []
        for index, fieldname in columns.items():
            value = raw[index] if index < len(raw) else None
            text = _cell_text(value)
            is_formula = (
                formula_cells is not None and (r, index) in formula_cells
            ) or (text.startswith(FORMULA_STARTS))
            if is_formula:
                formulas.append(fieldname)
                text = ""
            values[fieldname] = text.strip()
        if any(values.values()) or formulas:
            rows.append(SheetRow(number=r + 1, values=values, formulas=formulas))
    return rows


def report_cell(value) -> str:
    """A value safe to put into a spreadsheet report (no formula)."""
    text = str(value)
    return "'" + text if text.startswith(REPORT_UNSAFE_STARTS) else text


def template_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "library"
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(TEMPLATE_EXAMPLE)
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 18
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
