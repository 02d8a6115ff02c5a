"""The dashboard page, exports, JSON API, report command, coverage and admin."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from dashboard.coverage import coverage
from dashboard.models import QuotaRule

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil")'


@pytest.fixture(autouse=True)
def database_counter(settings):
    """These tests read the database counter even if an engine URL is set."""
    settings.DASHBOARD_QUOTA_ENGINE_URL = ""


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def evil_rule(quota_world):
    from catalog.models import Stage

    rule = QuotaRule.objects.create(
        year=2026, resource_type="courseware", target=5, label=EVIL
    )
    rule.stages.set(Stage.objects.filter(code="primary"))
    return rule


def test_permissions(client, client_for, quota_world):
    url = reverse("dashboard:index") + "?year=2026"
    assert client.get(url).status_code == 302  # anonymous → login
    for key in ("teacher", "editor"):
        response = client_for(quota_world.users[key]).get(url)
        assert response.status_code == 403, key
        assert (
            client.get(reverse("dashboard:export_xlsx") + "?year=2026").status_code
            == 403
        )
        assert client.get("/api/v1/quotas/?year=2026").status_code == 403
        assert client.get("/api/v1/coverage/?subject=maths").status_code == 403
    client.logout()
    assert client.get("/api/v1/quotas/?year=2026").status_code == 403
    for key in ("bureau", "admin", "super"):
        assert client_for(quota_world.users[key]).get(url).status_code == 200, key


def test_dashboard_page(client_for, quota_world):
    client = client_for(quota_world.users["bureau"])
    response = client.get(reverse("dashboard:index") + "?year=2026")
    html = response.content.decode()
    assert "小学 语文 同步教学资源 ≥300" in html
    assert "初高中 精品微课 ≥1800" in html
    assert "dashboard/vendor/echarts.min.js" in html
    assert "cdn" not in html.lower()
    assert "数与代数 › 函数 › 一次函数" in html  # gap list with the path
    rows = {r.spec.label: r.count for r in response.context["results"]}
    assert rows["小学 语文 同步教学资源 ≥300"] == 3
    # Drill-down by school for one rule.
    rule = QuotaRule.objects.get(
        year=2026, subject__code="chinese", stages__code="primary"
    )
    response = client.get(
        reverse("dashboard:index") + f"?year=2026&rule={rule.pk}&by=school"
    )
    drill = {r["name"]: r["count"] for r in response.context["drill"]["rows"]}
    assert drill == {"西山县城关小学": 1, "（未填写）": 2}
    # District filter.
    from catalog.models import District

    xishan = District.objects.get(code="xishan")
    response = client.get(
        reverse("dashboard:index") + f"?year=2026&district={xishan.pk}"
    )
    rows = {r.spec.label: r.count for r in response.context["results"]}
    assert rows["小学 语文 同步教学资源 ≥300"] == 1


def test_coverage_rule_and_gaps(quota_world):
    from alliance.services import revoke_quality_pick

    kp = quota_world.points
    cov = coverage(subject_id=kp["root"].subject_id, stage_id=kp["root"].stage_id)
    # depth ≥ 2: unit, leaf1, leaf2, unit2, leaf3; leaf1 and leaf2 have picks,
    # the unit is covered through them; leaf3 has only a plain lesson.
    assert (cov.covered, cov.total) == (3, 5)
    assert [g["name"] for g in cov.gaps] == ["函数", "一次函数"]
    assert cov.gaps[1]["path_names"] == kp["leaf3"].path_names
    # Per edition: only the points placed in that edition's textbooks count.
    from catalog.models import KnowledgePointPlacement, TextbookEdition

    pep = TextbookEdition.objects.get(code="pep")
    for key in ("leaf1", "leaf3"):
        KnowledgePointPlacement.objects.create(knowledge_point=kp[key], edition=pep)
    cov = coverage(subject_id=kp["root"].subject_id, edition_id=pep.pk)
    assert (cov.covered, cov.total) == (1, 2)
    revoke_quality_pick(quota_world["to_revoke"], quota_world.users["super"], "撤销")
    cov = coverage(subject_id=kp["root"].subject_id)
    assert (cov.covered, cov.total) == (2, 5)
    assert {g["name"] for g in cov.gaps} == {"公式法", "函数", "一次函数"}
    quota_world["covers_leaf1"].unpublish()
    assert coverage(subject_id=kp["root"].subject_id).covered == 0


def test_xlsx_export(client_for, quota_world, evil_rule):
    client = client_for(quota_world.users["bureau"])
    response = client.get(reverse("dashboard:export_xlsx") + "?year=2026")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["封面", "年度任务", "知识点覆盖", "缺口清单"]
    assert "2026" in wb["封面"]["A1"].value
    quotas = wb["年度任务"]
    assert quotas["A1"].font.bold
    labels = [row[0].value for row in quotas.iter_rows(min_row=2)]
    assert "小学 语文 同步教学资源 ≥300" in labels
    assert "'" + EVIL in labels and EVIL not in labels
    assert all(
        not (isinstance(c.value, str) and c.value[:1] in "=+-@")
        for ws in wb
        for row in ws.iter_rows()
        for c in row
    )


def test_csv_export(client_for, quota_world, evil_rule):
    client = client_for(quota_world.users["admin"])
    response = client.get(reverse("dashboard:export_csv") + "?year=2026")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    labels = [r[0] for r in rows if r]
    assert "'" + EVIL in labels
    assert not any(cell[:1] in "=+-@" for row in rows for cell in row if cell)
    row = next(r for r in rows if r and r[0] == "小学 语文 同步教学资源 ≥300")
    assert row[1:3] == ["300", "3"]


def test_api_quotas_and_coverage(client_for, quota_world):
    client = client_for(quota_world.users["bureau"])
    data = client.get("/api/v1/quotas/?year=2026").json()
    assert data["year"] == 2026 and data["source"] == "database"
    by_label = {r["label"]: r for r in data["rules"]}
    assert by_label["小学 语文 同步教学资源 ≥300"]["count"] == 3
    assert len(by_label["小学 语文 同步教学资源 ≥300"]["monthly"]) == 12
    data = client.get("/api/v1/quotas/?year=2026&district=xishan").json()
    assert {r["label"]: r["count"] for r in data["rules"]}[
        "初高中 物理 同步教学资源 ≥100"
    ] == 1
    assert client.get("/api/v1/quotas/?year=2026&district=nowhere").status_code == 404
    data = client.get("/api/v1/coverage/?subject=maths&grade=g8").json()
    assert (data["covered"], data["total"]) == (3, 5)
    assert data["gaps"][-1]["path"] == "数与代数 › 函数 › 一次函数"
    data = client.get("/api/v1/coverage/?subject=数学&grade=八年级").json()
    assert data["total"] == 5
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/quotas/" in schema["paths"]
    assert "/api/v1/coverage/" in schema["paths"]


def test_quota_report_command(quota_world, evil_rule, tmp_path, capsys):
    call_command("quota_report", "--year", "2026", "--format", "json")
    report = json.loads(capsys.readouterr().out)
    assert {r["label"]: r["count"] for r in report["rules"]}[
        "小学 语文 同步教学资源 ≥300"
    ] == 3
    out = tmp_path / "r.xlsx"
    call_command("quota_report", "--year", "2026", "--format", "xlsx", "--output", out)
    assert load_workbook(out)["年度任务"]["A1"].value.startswith("任务")
    out = tmp_path / "r.csv"
    call_command("quota_report", "--year", "2026", "--format", "csv", "-o", out)
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert ["'" + EVIL] == [r[0] for r in rows if r and EVIL in r[0]]


def test_seed_is_idempotent_and_matches_domain_table(taxonomy):
    from dashboard.demo import seed_quota_rules

    assert seed_quota_rules(years=(2030,)) == 14
    assert seed_quota_rules(years=(2030,)) == 0
    labels = {r.display_label for r in QuotaRule.objects.filter(year=2030)}
    assert "学前 经典游戏范例 ≥300" in labels
    assert "小学 精品微课 ≥1200" in labels
    assert "初高中 化学 同步教学资源 ≥100" in labels
    assert sum(r.target for r in QuotaRule.objects.filter(year=2030)) == (
        300 + 3 * 300 + 1200 + 3 * 300 + 5 * 100 + 1800
    )


def test_seed_command_and_seed_demo(taxonomy, capsys):
    call_command("seed_quota_rules", "--years", "2031", "2032")
    assert "28 quota rule(s) created" in capsys.readouterr().out
    from demo.seeding import seed_demo

    seed_demo()
    assert {2024, 2025, 2026} <= set(QuotaRule.objects.values_list("year", flat=True))
    assert QuotaRule.objects.filter(year=2026).count() == 14


def test_admin_copy_to_next_year(client_for, quota_world):
    client = client_for(quota_world.users["super"])
    list_url = reverse("wagtailsnippets_dashboard_quotarule:list")
    assert client.get(list_url).status_code == 200
    rule = QuotaRule.objects.filter(year=2026).first()
    url = reverse("wagtailsnippets_dashboard_quotarule:copy_next_year", args=[rule.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"scope": "rule"}).status_code == 302
    assert QuotaRule.objects.filter(year=2027).count() == 1
    client.post(url, {"scope": "year"})
    assert QuotaRule.objects.filter(year=2027).count() == 14
    copied = QuotaRule.objects.get(year=2027, subject=rule.subject, quality_only=False)
    assert set(copied.stages.all()) == set(rule.stages.all())
    # Teachers cannot copy.
    client = client_for(quota_world.users["teacher"])
    assert client.post(url, {"scope": "year"}).status_code in (302, 403)
    assert QuotaRule.objects.filter(year=2027).count() == 14
    # The admin menu links to the dashboard for the bureau.
    client = client_for(quota_world.users["super"])
    assert (
        reverse("dashboard:index")
        in client.get(reverse("wagtailadmin_home")).content.decode()
    )
