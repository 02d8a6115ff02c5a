"""The dashboard page, the CSV and the XLSX show the same figures to the
digit: one half-up rounding rule, percentages as percentages."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from dashboard.reports import to_csv, to_xlsx
from dashboard.services import RuleResult, RuleSpec


def _result(target, count, expected):
    spec = RuleSpec(
        id=1,
        year=2026,
        label="初中 数学 精品微课 ≥551",
        target=target,
        district_id=None,
        stage_ids=frozenset(),
        subject_id=None,
        types=frozenset(),
        quality_only=True,
    )
    return RuleResult(spec=spec, count=count, monthly=[0] * 12, expected=expected)


def _report(result):
    return {
        "year": 2026,
        "district": None,
        "district_id": None,
        "generated_at": "2026-06-01 09:00",
        "source": "database",
        "rules": [result.as_dict()],
        "coverage": {
            "covered": 1,
            "total": 8,
            "percent": 12.5,
            "cells": [],
            "gaps": [],
        },
    }


@pytest.mark.parametrize(
    "expected, shown", [(275.5, 276), (274.5, 275), (0.5, 1), (12.49, 12)]
)
def test_expected_rounds_half_up_everywhere(expected, shown):
    result = _result(551, 5, expected)
    assert result.expected_shown == shown
    report = _report(result)
    rows = list(csv.reader(io.StringIO(to_csv(report).decode("utf-8-sig"))))
    row = next(r for r in rows if r and r[0] == "初中 数学 精品微课 ≥551")
    assert row[3:5] == ["0.9%", str(shown)]
    sheet = load_workbook(io.BytesIO(to_xlsx(report)))["年度任务"]
    line = next(r for r in sheet.iter_rows() if r[0].value == row[0])
    assert line[4].value == shown
    assert line[3].value == 0.9
    assert line[3].number_format.endswith('"%"')


@pytest.mark.django_db
def test_page_and_csv_agree_to_the_digit(client, quota_world):
    client.force_login(quota_world.users["admin"])
    page = client.get("/dashboard/?year=2026").content.decode()
    text = client.get("/dashboard/export.csv?year=2026").content.decode("utf-8-sig")
    rows = {r[0]: r for r in csv.reader(io.StringIO(text)) if len(r) > 5}
    shown = re.findall(
        r"<td>([^<]+)</td>\s*<td class=\"num\">[\d,]+</td>\s*"
        r"<td class=\"num\"><strong>[\d,]+</strong></td>\s*"
        r"<td><progress[^>]*>[^<]*</progress> ([\d.]+%)</td>\s*"
        r"<td class=\"num\">(\d+)</td>",
        page,
    )
    assert len(shown) >= 5
    for label, percent, expected in shown:
        assert rows[label][3:5] == [percent, expected], label
