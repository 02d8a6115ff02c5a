"""`import_library`: a generated library of a few hundred rows with real files
(one lavfi clip, variants made by appending an MP4 `free` box), broken rows,
duplicates and hostile names; dry run, real run, re-run, resume."""

from __future__ import annotations

import csv
import io
import os
import struct
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook
from wagtail.documents import get_document_model

from catalog.models import CatalogEntryPage, LessonPage, ResourcePage
from ingest import library_import
from ingest.models import ImportedRow, LibraryImport
from media_pipeline.models import Video
from tests.factories import KnowledgePointFactory, UserFactory

LESSONS = 30
RESOURCES = 200
HEADERS = [
    "标题",
    "学段",
    "学科",
    "年级",
    "知识点",
    "学校",
    "学年",
    "资源类型",
    "视频文件",
    "附件",
]


def variant(clip: bytes, n: int) -> bytes:
    """The same video with a unique trailing `free` box: other bytes, one probe."""
    payload = f"variant-{n}".encode()
    return clip + struct.pack(">I", 8 + len(payload)) + b"free" + payload


@pytest.fixture
def importing(db, settings):
    settings.MEDIA_VALIDATION = {"MIN_DURATION": 1.0, "MIN_LINES": 240}
    # The pipeline's job is queued, not run: the import is what is tested.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    KnowledgePointFactory(code="MJ-LIB-01", name="勾股定理")
    return UserFactory(username="importer")


def sheet_row(
    title, kind, *, grade="", point="", school="", year="", video="", attachment=""
) -> list[str]:
    """One row of the metadata sheet, in HEADERS order (a junior maths entry)."""
    return [title, "初中", "数学", grade, point, school, year, kind, video, attachment]


def build_library(root: Path, media_clips) -> tuple[Path, dict]:
    clip = media_clips("tiny").read_bytes()
    (root / "videos").mkdir(parents=True)
    (root / "docs").mkdir()
    rows, expected = [], {"create": 0, "error": {}, "duplicate": []}
    for n in range(LESSONS):
        (root / "videos" / f"l{n}.mp4").write_bytes(variant(clip, n))
        rows.append(
            sheet_row(
                f"微课 {n}",
                "微课",
                grade="八年级",
                point="MJ-LIB-01",
                year="2025",
                video=f"videos/l{n}.mp4",
            )
        )
    for n in range(RESOURCES):
        (root / "docs" / f"r{n}.txt").write_text(f"练习 {n}\n", "utf-8")
        rows.append(
            sheet_row(
                f"练习 {n}",
                "习题",
                point="勾股定理",
                year="2025",
                attachment=f"docs/r{n}.txt",
            )
        )
    expected["create"] = len(rows)
    (root / "bad.mp4").write_text("这不是视频\n" * 100, "utf-8")
    (root.parent / "secret.txt").write_text("outside", "utf-8")
    broken = {
        "未知知识点": sheet_row(
            "坏行1", "习题", point="MJ-NOPE", attachment="docs/r1.txt"
        ),
        "找不到文件": sheet_row("坏行2", "微课", video="videos/none.mp4"),
        "无法读取的视频": sheet_row("坏行3", "微课", video="bad.mp4"),
        "../secret.txt": sheet_row("坏行4", "习题", attachment="../secret.txt"),
        "/etc/passwd": sheet_row("坏行5", "习题", attachment="/etc/passwd"),
        "．．／secret.txt": sheet_row("坏行6", "习题", attachment="．．／secret.txt"),
        "未知学校": sheet_row(
            "坏行7", "习题", school="不存在中学", attachment="docs/r2.txt"
        ),
        "公式": sheet_row(
            '=HYPERLINK("http://evil.example/","点我")',
            "习题",
            attachment="docs/r3.txt",
        ),
    }
    for key, row in broken.items():
        rows.append(row)
        expected["error"][len(rows) + 1] = key
    rows.append(sheet_row("重复微课", "微课", video="videos/l0.mp4"))
    expected["duplicate"].append(len(rows) + 1)
    # A symlink to a file outside the library is never listed.
    os.symlink(root.parent / "secret.txt", root / "docs" / "link.txt")
    rows.append(sheet_row("链接", "习题", attachment="docs/link.txt"))
    expected["error"][len(rows) + 1] = "link"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    path = root.parent / "library.xlsx"
    workbook.save(path)
    return path, expected


def run(source, sheet, *extra):
    out, err = StringIO(), StringIO()
    call_command(
        "import_library",
        str(source),
        "--sheet",
        str(sheet),
        "--owner",
        "importer",
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def counts():
    return (
        CatalogEntryPage.objects.count(),
        Video.objects.count(),
        get_document_model().objects.count(),
        ImportedRow.objects.count(),
        LibraryImport.objects.count(),
    )


def row_line(out: str, number: int) -> str:
    return next(line for line in out.splitlines() if line.startswith(f"第 {number} 行"))


def test_dry_run_reports_every_row_and_writes_nothing(importing, tmp_path, media_clips):
    sheet, expected = build_library(tmp_path / "lib", media_clips)
    before = counts()
    out, err = run(tmp_path / "lib", sheet, "--dry-run")
    assert counts() == before
    assert f"{LESSONS + RESOURCES + 10}/{LESSONS + RESOURCES + 10}" in err
    assert (
        sum(line.endswith("：将创建") for line in out.splitlines())
        == expected["create"]
    )
    assert "未知知识点 MJ-NOPE" in row_line(out, 232 + 0)
    assert "找不到文件 videos/none.mp4" in row_line(out, 233)
    assert "无法读取的视频 bad.mp4" in row_line(out, 234)
    for number in (235, 236, 237, 241):
        assert "找不到文件" in row_line(out, number)
    assert "未知学校 不存在中学" in row_line(out, 238)
    formula = row_line(out, 239)
    assert "公式" in formula and "HYPERLINK" not in formula
    assert "与第 2 行的视频相同" in row_line(out, 240)
    left_out = [line for line in out.splitlines() if line.startswith("文件已略过")]
    assert left_out == ["文件已略过（名称不安全或是链接）：'docs/link.txt'"]


def test_real_run_then_second_run_creates_nothing(importing, tmp_path, media_clips):
    sheet, expected = build_library(tmp_path / "lib", media_clips)
    out, _err = run(tmp_path / "lib", sheet)
    assert LessonPage.objects.count() == LESSONS
    assert ResourcePage.objects.count() == RESOURCES
    assert Video.objects.count() == LESSONS
    assert ImportedRow.objects.count() == LESSONS + RESOURCES
    lesson = LessonPage.objects.get(title="微课 7")
    assert not lesson.live and lesson.owner.username == "importer"
    assert lesson.get_latest_revision() is not None
    assert [kp.code for kp in lesson.knowledge_points.all()] == ["MJ-LIB-01"]
    assert lesson.grade.code == "g8" and lesson.academic_year == 2025
    assert "l7.mp4" not in lesson.video.file.name
    resource = ResourcePage.objects.get(title="练习 5")
    assert resource.resource_type == "exercises"
    assert resource.attachments.get().document.file.read() == "练习 5\n".encode()
    assert "r5.txt" not in resource.attachments.get().document.file.name
    run_row = LibraryImport.objects.get()
    assert (run_row.created, run_row.errors, run_row.duplicates) == (230, 9, 1)
    assert run_row.status == "finished"

    before = counts()
    out, _err = run(tmp_path / "lib", sheet)
    assert counts()[:4] == before[:4]
    assert out.count("已导入") >= LESSONS + RESOURCES


def test_crash_midway_then_resume(importing, tmp_path, media_clips, monkeypatch):
    sheet, _expected = build_library(tmp_path / "lib", media_clips)
    real = library_import.create_row
    calls = {"n": 0}

    def crashing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 100:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(library_import, "create_row", crashing)
    with pytest.raises(RuntimeError):
        run(tmp_path / "lib", sheet)
    assert ImportedRow.objects.count() == 99
    assert CatalogEntryPage.objects.count() == 99
    assert LibraryImport.objects.get().status == "failed"
    monkeypatch.setattr(library_import, "create_row", real)
    run(tmp_path / "lib", sheet)
    assert CatalogEntryPage.objects.count() == LESSONS + RESOURCES
    assert ImportedRow.objects.count() == LESSONS + RESOURCES


def test_zip_slip_and_symlink_members_are_left_out(importing, tmp_path, media_clips):
    clip = media_clips("tiny").read_bytes()
    archive = tmp_path / "lib.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("videos/ok.mp4", variant(clip, 999))
        zf.writestr("../evil.txt", "escaped")
        zf.writestr("/abs.txt", "absolute")
        zf.writestr("docs\\win.txt", "backslash")
        zf.writestr("docs/\u202etxt.exe", "bidi")
        link = zipfile.ZipInfo("docs/link.txt")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
    csv_path = tmp_path / "sheet.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["title", "stage", "subject", "resource type", "video", "attachments"]
        )
        writer.writerow(
            ["好视频", "junior", "maths", "micro_lesson", "videos/ok.mp4", ""]
        )
        for name in ("../evil.txt", "/abs.txt", "docs\\win.txt", "docs/link.txt"):
            writer.writerow([f"坏 {name}", "junior", "maths", "exercises", "", name])
        writer.writerow(
            ["+SUM(1,2)", "junior", "maths", "exercises", "", "docs/none.txt"]
        )
    report = tmp_path / "report.csv"
    out, _err = run(archive, csv_path, "--report", str(report))
    assert LessonPage.objects.count() == 1
    assert ResourcePage.objects.count() == 0
    assert not (tmp_path.parent / "evil.txt").exists()
    assert out.count("找不到文件") == 5
    cells = list(csv.reader(report.open(encoding="utf-8-sig")))
    titles = [row[1] for row in cells[1:]]
    assert "'+SUM(1,2)" in titles


def test_admin_template_and_progress_page(importing, client, tmp_path, media_clips):
    from openpyxl import load_workbook

    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    teacher = UserFactory(username="t1")
    client.force_login(teacher)
    refused = client.get("/admin/ingest/library-template.xlsx")
    assert refused.status_code == 302 and "/admin/login/" in refused["Location"]
    client.force_login(admin)
    response = client.get("/admin/ingest/library-template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["标题", "学段", "学科"]
    run_row = LibraryImport.objects.create(
        source="x", sheet="s.xlsx", total=10, processed=4
    )
    page = client.get(f"/admin/ingest/imports/{run_row.pk}/")
    assert page.status_code == 200 and "4/10" in page.content.decode()
    assert client.get("/admin/ingest/imports/%EF%BC%91/").status_code == 404
    assert client.get("/admin/ingest/imports/" + "9" * 30 + "/").status_code == 404
    assert "s.xlsx" in client.get("/admin/ingest/imports/").content.decode()
