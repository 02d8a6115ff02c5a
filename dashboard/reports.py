"""The annual report as data, CSV and XLSX (dashboard export, API, command)."""

from __future__ import annotations

import csv
import io

from django.utils import timezone

from catalog.models import District, Grade, Stage, Subject

from . import figures
from .coverage import coverage
from .services import SHANGHAI, dashboard_counts, get_counter

FORMULA_PREFIXES = ("=", "+", "-", "@")


def neutralise(value):
    """Spreadsheet formula injection guard: text starting with = + - @ gets a '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def coverage_as_dict(cov, blank=None) -> dict:
    """Coverage cells (in taxonomy order) and gaps with names, for JSON and
    exports alike; `blank` stands for a missing grade."""
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
                "grade": grades[g["grade_id"]].name if g["grade_id"] else blank,
            }
            for g in cov.gaps
        ],
    }


def build_report(year: int, district_id: int | None = None, now=None) -> dict:
    counter = get_counter()
    now = now or timezone.now()
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
        "coverage": coverage_as_dict(cov, blank=""),
    }


QUOTA_HEADER = ["任务 Quota", "目标 Target", "完成数 Count", "完成率 % Percent",
                "应完成 Expected", "进度 Status"]  # fmt: skip
MONTHS = [f"{m}月" for m in range(1, 13)]
# A number of percent (12.5) displayed with its sign, as on the page.
PERCENT_FORMAT = '0.0"%"'


def _status(rule) -> str:
    return "按计划 on track" if rule["on_track"] else "落后 behind"


def to_csv(report: dict) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([f"{report['year']} 年度任务完成情况", report["district"] or "全市"])
    w.writerow(["生成时间", report["generated_at"]])
    w.writerow(QUOTA_HEADER + MONTHS)
    for r in report["rules"]:
        row = [r["label"], r["target"], r["count"], figures.percent_text(r["percent"]),
               r["expected_whole"], _status(r), *r["monthly"]]  # fmt: skip
        w.writerow([neutralise(v) for v in row])
    w.writerow([])
    w.writerow(["知识点覆盖 Coverage", "学段", "学科", "年级", "已覆盖", "总数", "%"])
    for c in report["coverage"]["cells"]:
        row = ["", c["stage"], c["subject"], c["grade"], c["covered"], c["total"],
               figures.percent_text(c["percent"])]  # fmt: skip
        w.writerow([neutralise(v) for v in row])
    w.writerow([])
    w.writerow(["缺口清单 Gaps", "编码", "知识点", "路径", "学段", "学科", "年级"])
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
        ws.freeze_panes = ws.cell(row=ws.max_row + 1, column=1)

    def widths(ws, sizes):
        for i, size in enumerate(sizes, start=1):
            ws.column_dimensions[get_column_letter(i)].width = size

    wb = Workbook()
    cover = wb.active
    cover.title = "封面"
    cover["A1"] = f"微课联盟 {report['year']} 年度任务完成情况"
    cover["A1"].font = Font(bold=True, size=18)
    cover.append([])
    rules = report["rules"]
    behind = sum(1 for r in rules if not r["on_track"])
    for label, value in [
        ("年度 Year", report["year"]),
        ("范围 Scope", report["district"] or "全市 City"),
        ("生成时间 Generated", report["generated_at"]),
        ("数据来源 Source", report["source"]),
        ("任务数 Quotas", len(rules)),
        ("落后任务 Behind schedule", behind),
        (
            "知识点覆盖 Coverage",
            f"{report['coverage']['covered']}/{report['coverage']['total']} "
            f"({figures.percent_text(report['coverage']['percent'])})",
        ),
    ]:
        cover.append([label, neutralise(value)])
        cover.cell(row=cover.max_row, column=1).font = bold
    widths(cover, [28, 40])

    ws = wb.create_sheet("年度任务")
    header(ws, QUOTA_HEADER + MONTHS)
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

    cs = wb.create_sheet("知识点覆盖")
    header(cs, ["学段", "学科", "年级", "已覆盖", "总数", "覆盖率"])
    for c in report["coverage"]["cells"]:
        cs.append([neutralise(c["stage"]), neutralise(c["subject"]),
                   neutralise(c["grade"]), c["covered"], c["total"],
                   figures.percent(c["percent"])])  # fmt: skip
        cs.cell(row=cs.max_row, column=6).number_format = PERCENT_FORMAT
    widths(cs, [10, 14, 12, 10, 10, 10])

    gs = wb.create_sheet("缺口清单")
    header(gs, ["编码", "知识点", "路径", "学段", "学科", "年级"])
    for g in report["coverage"]["gaps"]:
        gs.append([neutralise(g[k]) for k in
                   ("code", "name", "path", "stage", "subject", "grade")])  # fmt: skip
    widths(gs, [18, 28, 60, 8, 12, 10])

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
