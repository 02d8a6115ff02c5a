"""The annual report as data, CSV and XLSX (dashboard export, API, command)."""

from __future__ import annotations

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import District, Grade, Stage, Subject

from . import figures
from .coverage import coverage
from .gaps import NO_GRADE, GapQuery, select_gaps
from .services import SHANGHAI, dashboard_counts, get_counter

FORMULA_PREFIXES = ("=", "+", "-", "@")


def neutralise(value):
    """Spreadsheet formula injection guard: text starting with = + - @ gets a '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def coverage_as_dict(cov, blank=None, gaps=None, gap_blank=None) -> dict:
    """Coverage cells (in taxonomy order) and gaps with names, for JSON and
    exports alike; `blank` stands for a missing grade (`gap_blank` in the gap
    rows), `gaps` replaces the full gap list (a filtered, sorted one)."""
    stages = Stage.objects.in_bulk()
    subjects = Subject.objects.in_bulk()
    grades = Grade.objects.in_bulk()
    return {
        "covered": cov.covered,
        "total": cov.total,
        "percent": figures.percent(cov.percent),
        "cells": [
            {
                "stage": stages[c.stage_id].name,
                "subject": subjects[c.subject_id].name,
                "grade": grades[c.grade_id].name if c.grade_id else blank,
                "covered": c.covered,
                "total": c.total,
                "percent": figures.percent(c.percent),
            }
            for c in sorted(
                cov.cells,
                key=lambda c: (
                    stages[c.stage_id].sort_order,
                    subjects[c.subject_id].sort_order,
                    grades[c.grade_id].sort_order if c.grade_id else 99,
                ),
            )
        ],
        "gaps": [
            {
                "code": g["code"],
                "name": g["name"],
                "path": g["path_names"],
                "stage": stages[g["stage_id"]].name,
                "subject": subjects[g["subject_id"]].name,
                "grade": grades[g["grade_id"]].name if g["grade_id"] else gap_blank,
            }
            for g in (cov.gaps if gaps is None else gaps)
        ],
    }


def build_report(
    year: int,
    district_id: int | None = None,
    now=None,
    gap_query: GapQuery | None = None,
) -> dict:
    """The report; the gap list in `gap_query`'s scope and order (as the
    dashboard page shows it), by default all gaps in tree order."""
    counter = get_counter()
    now = now or timezone.now()
    gap_query = gap_query or GapQuery()
    results, attached = dashboard_counts(year, district_id, now=now, counter=counter)
    cov = coverage(attached=attached)
    district = District.objects.filter(pk=district_id).first() if district_id else None
    return {
        "year": year,
        "district": district.name if district else None,
        "district_id": district_id,
        "generated_at": now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        "source": counter.name,
        "rules": [r.as_dict() for r in results],
        "coverage": coverage_as_dict(
            cov, blank="", gaps=select_gaps(cov.gaps, gap_query), gap_blank=NO_GRADE
        ),
        "gap_scope": gap_query.describe(),
    }


QUOTA_HEADER = [_("Quota"), _("Target"), _("Count"), _("Percent"),
                _("Expected"), _("Status")]  # fmt: skip
COVERAGE_HEADER = [_("Stage"), _("Subject"), _("Grade"), _("Covered"), _("Total")]
GAPS_HEADER = [_("Code"), _("Knowledge point"), _("Path"), _("Stage"),
               _("Subject"), _("Grade")]  # fmt: skip
ON_TRACK, BEHIND = _("On track"), _("Behind")
CITY = _("Whole city")
TITLE = _("%(year)s annual quotas")


def months() -> list[str]:
    """Column titles of the twelve months, in the active language."""
    return [str(_("Month %(month)s")) % {"month": m} for m in range(1, 13)]


def texts(items) -> list[str]:
    return [str(item) for item in items]


# A number of percent (12.5) displayed with its sign, as on the page.
PERCENT_FORMAT = '0.0"%"'


def _status(rule) -> str:
    return str(ON_TRACK if rule["on_track"] else BEHIND)


def to_csv(report: dict) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([str(TITLE) % {"year": report["year"]}, report["district"] or CITY])
    w.writerow([_("Generated"), report["generated_at"]])
    if "gap_scope" in report:
        w.writerow([_("Gaps"), neutralise(report["gap_scope"])])
    w.writerow(texts(QUOTA_HEADER) + months())
    for r in report["rules"]:
        row = [r["label"], r["target"], r["count"], figures.percent_text(r["percent"]),
               r["expected_whole"], _status(r), *r["monthly"]]  # fmt: skip
        w.writerow([neutralise(v) for v in row])
    w.writerow([])
    w.writerow(texts([_("Knowledge point coverage"), *COVERAGE_HEADER, "%"]))
    for c in report["coverage"]["cells"]:
        row = ["", c["stage"], c["subject"], c["grade"], c["covered"], c["total"],
               figures.percent_text(c["percent"])]  # fmt: skip
        w.writerow([neutralise(v) for v in row])
    w.writerow([])
    w.writerow(texts([_("Gaps"), *GAPS_HEADER]))
    for g in report["coverage"]["gaps"]:
        row = [
            "",
            g["code"],
            g["name"],
            g["path"],
            g["stage"],
            g["subject"],
            g["grade"],
        ]
        w.writerow([neutralise(v) for v in row])
    # BOM so Excel opens the UTF-8 Chinese text correctly.
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(report: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.formatting.rule import DataBarRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    red = Font(color="C00000")
    green = Font(color="00703C")

    def header(ws, cells):
        ws.append(cells)
        for cell in ws[ws.max_row]:
            cell.font = bold
            cell.fill = head_fill
            cell.alignment = Alignment(horizontal="center", vertical="center")
        # A cell name, not ws.cell(): that would create the row below, and the
        # first data row would come after an empty one.
        ws.freeze_panes = f"A{ws.max_row + 1}"

    def widths(ws, sizes):
        for i, size in enumerate(sizes, start=1):
            ws.column_dimensions[get_column_letter(i)].width = size

    wb = Workbook()
    cover = wb.active
    cover.title = str(_("Cover"))
    cover["A1"] = str(TITLE) % {"year": report["year"]}
    cover["A1"].font = Font(bold=True, size=18)
    cover.append([])
    rules = report["rules"]
    behind = sum(1 for r in rules if not r["on_track"])
    for label, value in [
        (_("Year"), report["year"]),
        (_("Scope"), report["district"] or str(CITY)),
        (_("Generated"), report["generated_at"]),
        (_("Source"), report["source"]),
        (_("Quotas"), len(rules)),
        (_("Behind schedule"), behind),
        (
            _("Knowledge point coverage"),
            f"{report['coverage']['covered']}/{report['coverage']['total']} "
            f"({figures.percent_text(report['coverage']['percent'])})",
        ),
        (_("Gaps"), report.get("gap_scope", "")),
    ]:
        cover.append([str(label), neutralise(value)])
        cover.cell(row=cover.max_row, column=1).font = bold
    widths(cover, [28, 40])

    ws = wb.create_sheet(str(_("Annual quotas")))
    header(ws, texts(QUOTA_HEADER) + months())
    for r in rules:
        ws.append([neutralise(r["label"]), r["target"], r["count"],
                   r["percent"], r["expected_whole"], _status(r),
                   *r["monthly"]])  # fmt: skip
        row = ws.max_row
        # The page's number (12.5), shown as a percentage: 12.5%.
        ws.cell(row=row, column=4).number_format = PERCENT_FORMAT
        ws.cell(row=row, column=6).font = green if r["on_track"] else red
    if rules:
        ws.conditional_formatting.add(
            f"D2:D{ws.max_row}",
            DataBarRule(
                start_type="num",
                start_value=0,
                end_type="num",
                end_value=100,
                color="5B9BD5",
            ),
        )
    widths(ws, [36, 10, 10, 12, 10, 14] + [7] * 12)

    cs = wb.create_sheet(str(_("Knowledge point coverage")))
    header(cs, texts([*COVERAGE_HEADER, _("Coverage")]))
    for c in report["coverage"]["cells"]:
        cs.append([neutralise(c["stage"]), neutralise(c["subject"]),
                   neutralise(c["grade"]), c["covered"], c["total"],
                   figures.percent(c["percent"])])  # fmt: skip
        cs.cell(row=cs.max_row, column=6).number_format = PERCENT_FORMAT
    widths(cs, [10, 14, 12, 10, 10, 10])

    gs = wb.create_sheet(str(_("Gaps")))
    header(gs, texts(GAPS_HEADER))
    for g in report["coverage"]["gaps"]:
        gs.append([neutralise(g[k]) for k in
                   ("code", "name", "path", "stage", "subject", "grade")])  # fmt: skip
    widths(gs, [18, 28, 60, 8, 12, 10])

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
