import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from catalog.knowledge_import import ImportRefused, import_knowledge_points
from catalog.models import KnowledgePoint, KnowledgePointPlacement, Unit

HEADER = "code,name,parent_code,stage,subject,grade,edition,unit\n"
GOOD = HEADER + (
    "MA-J,数与代数,,初中,数学,,,\n"
    "MA-J-22,二次函数,MA-J,初中,数学,九年级,人教版,九年级上册 第二十二章 二次函数\n"
    "MA-J-22-1,二次函数的图像与性质,MA-J-22,初中,数学,九年级,人教版,"
    "九年级上册 第二十二章 二次函数\n"
    "MA-J-22-1,二次函数的图像与性质,MA-J-22,初中,数学,九年级,北师大版,"
    "九年级下册 第二章 二次函数\n"
)


def run(content: str | bytes, name="kp.csv", **kwargs):
    data = content.encode() if isinstance(content, str) else content
    return import_knowledge_points(name, data, **kwargs)


def refused(content, name="kp.csv"):
    with pytest.raises(ImportRefused) as info:
        run(content, name)
    return info.value.result.errors


@pytest.mark.django_db
class TestGoodFiles:
    def test_csv_builds_the_tree_and_placements(self, taxonomy):
        result = run(GOOD)
        assert sorted(result.created) == ["MA-J", "MA-J-22", "MA-J-22-1"]
        leaf = KnowledgePoint.objects.get(code="MA-J-22-1")
        assert leaf.parent.code == "MA-J-22"
        assert [a.code for a in leaf.ancestors()] == ["MA-J", "MA-J-22"]
        assert leaf.path_names == "数与代数 › 二次函数 › 二次函数的图像与性质"
        root = KnowledgePoint.objects.get(code="MA-J")
        assert KnowledgePoint.objects.descendants_of(root).count() == 3
        # One code, two editions: two placements in two textbooks.
        placements = KnowledgePointPlacement.objects.filter(knowledge_point=leaf)
        assert sorted(p.edition.name for p in placements) == ["人教版", "北师大版"]
        assert (
            Unit.objects.get(
                textbook__edition__name="人教版", title="第二十二章 二次函数"
            ).textbook.volume
            == "九年级上册"
        )

    def test_second_run_changes_nothing(self, taxonomy):
        run(GOOD)
        before = list(KnowledgePoint.objects.values_list("code", "path", "name"))
        result = run(GOOD)
        assert result.created == [] and result.updated == []
        assert sorted(result.unchanged) == ["MA-J", "MA-J-22", "MA-J-22-1"]
        assert result.placements_created == 0
        assert (
            list(KnowledgePoint.objects.values_list("code", "path", "name")) == before
        )

    def test_changed_name_and_parent_are_updated(self, taxonomy):
        run(GOOD)
        changed = HEADER + (
            "MA-J,数与代数,,初中,数学,,,\n"
            "MA-J-F,函数,MA-J,初中,数学,,,\n"
            "MA-J-22,二次函数（新）,MA-J-F,初中,数学,九年级,,\n"
        )
        result = run(changed)
        assert result.created == ["MA-J-F"]
        assert result.updated == ["MA-J-22"]
        leaf = KnowledgePoint.objects.get(code="MA-J-22-1")
        # The subtree moved with its parent.
        assert [a.code for a in leaf.ancestors()] == ["MA-J", "MA-J-F", "MA-J-22"]

    def test_dry_run_writes_nothing(self, taxonomy):
        result = run(GOOD, dry_run=True)
        assert len(result.created) == 3 and not result.applied
        assert not KnowledgePoint.objects.exists()

    def test_xlsx(self, taxonomy):
        workbook = Workbook()
        sheet = workbook.active
        for line in GOOD.strip().split("\n"):
            sheet.append(line.split(","))
        buffer = io.BytesIO()
        workbook.save(buffer)
        result = run(buffer.getvalue(), name="kp.xlsx")
        assert len(result.created) == 3

    def test_xlsx_errors_use_spreadsheet_row_numbers(self, taxonomy):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(HEADER.strip().split(","))
        sheet.append(["A", "甲", "", "初中", "数学"])
        sheet.append(["B", "乙", "NOPE", "初中", "数学"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        errors = refused(buffer.getvalue(), name="kp.xlsx")
        assert [(e.line, e.reason) for e in errors] == [(3, "unknown_parent")]

    def test_json(self, taxonomy):
        items = [
            {
                "code": "PH",
                "name": "力",
                "parent_code": "",
                "stage": "初中",
                "subject": "物理",
            },
            {
                "code": "PH-1",
                "name": "浮力",
                "parent_code": "PH",
                "stage": "junior",
                "subject": "physics",
                "grade": "八年级",
                "edition": "人教版",
                "unit": "八年级下册 第十章 浮力",
            },
        ]
        result = run(json.dumps(items, ensure_ascii=False), name="kp.json")
        assert result.created == ["PH", "PH-1"]

    def test_command(self, taxonomy, tmp_path, capsys):
        path = tmp_path / "kp.csv"
        path.write_text(GOOD, encoding="utf-8")
        call_command("import_knowledge_points", str(path))
        out = capsys.readouterr().out
        assert "新增 3" in out and "created" not in out
        call_command("import_knowledge_points", str(path))
        assert "未变 3" in capsys.readouterr().out


@pytest.mark.django_db
class TestBadFiles:
    @pytest.mark.parametrize(
        "rows, line, reason",
        [
            ("X,,,初中,数学,,,\n", 2, "missing_value"),
            (",无编码,,初中,数学,,,\n", 2, "missing_value"),
            ("X,甲,NOPE,初中,数学,,,\n", 2, "unknown_parent"),
            ("X,甲,,大学,数学,,,\n", 2, "unknown_stage"),
            ("X,甲,,初中,炼金术,,,\n", 2, "unknown_subject"),
            ("X,甲,,小学,物理,,,\n", 2, "subject_not_in_stage"),
            ("X,甲,,初中,数学,十三年级,,\n", 2, "unknown_grade"),
            ("X,甲,,初中,数学,三年级,,\n", 2, "grade_not_in_stage"),
            ("X,甲,,初中,数学,八年级,火星版,\n", 2, "unknown_edition"),
            ("X,甲,,初中,数学,八年级,,第一章\n", 2, "unit_without_edition"),
            ("X,甲,,初中,数学,,,\nX,甲,,初中,数学,,,\n", 3, "duplicate_code"),
            (
                "X,甲,,初中,数学,,人教版,\nX,乙,,初中,数学,,北师大版,\n",
                3,
                "conflicting_row",
            ),
        ],
    )
    def test_each_kind_of_bad_row(self, taxonomy, rows, line, reason):
        errors = refused(HEADER + rows)
        assert (line, reason) in [(e.line, e.reason) for e in errors]
        assert not KnowledgePoint.objects.exists()

    def test_cycle(self, taxonomy):
        errors = refused(
            HEADER + "A,甲,C,初中,数学,,,\nB,乙,A,初中,数学,,,\nC,丙,B,初中,数学,,,\n"
        )
        assert [e.reason for e in errors] == ["cycle"]
        assert "A" in errors[0].detail and "→" in errors[0].detail

    def test_cycle_through_the_database(self, taxonomy):
        run(HEADER + "A,甲,,初中,数学,,,\nB,乙,A,初中,数学,,,\n")
        errors = refused(HEADER + "A,甲,B,初中,数学,,,\n")
        assert [e.reason for e in errors] == ["cycle"]

    def test_one_bad_row_refuses_the_whole_file(self, taxonomy):
        errors = refused(GOOD + "MA-J-X,坏行,NOPE,初中,数学,,,\n")
        assert [(e.line, e.reason) for e in errors] == [(6, "unknown_parent")]
        assert not KnowledgePoint.objects.exists()

    def test_every_bad_row_is_reported(self, taxonomy):
        errors = refused(HEADER + "A,,,初中,数学,,,\nB,乙,,外星,数学,,,\n")
        assert [(e.line, e.reason) for e in errors] == [
            (2, "missing_value"),
            (3, "unknown_stage"),
        ]

    def test_messages_in_the_active_language(self, taxonomy):
        from django.utils import translation

        error = refused(HEADER + "X,甲,NOPE,初中,数学,,,\n")[0]
        with translation.override("zh-hans"):
            assert str(error) == "第 2 行：未知的上级知识点 NOPE。"
        with translation.override("en"):
            assert str(error) == "Line 2: Unknown parent NOPE."

    def test_missing_column(self, taxonomy):
        errors = refused("code,name\nA,甲\n")
        assert errors[0].reason == "missing_column"
        assert "stage" in errors[0].message

    @pytest.mark.parametrize(
        "content, name, reason",
        [
            (b"\x00\x01", "kp.txt", "unsupported_format"),
            (b"{not json", "kp.json", "unreadable"),
            (b"not a zip", "kp.xlsx", "unreadable"),
            (HEADER.encode(), "kp.csv", "empty"),
        ],
    )
    def test_unreadable_files(self, taxonomy, content, name, reason):
        assert refused(content, name=name)[0].reason == reason

    def test_command_prints_rows_and_exits_nonzero(self, taxonomy, tmp_path, capsys):
        path = tmp_path / "bad.csv"
        path.write_text(HEADER + "X,甲,NOPE,初中,数学,,,\n", encoding="utf-8")
        with pytest.raises(CommandError) as info:
            call_command("import_knowledge_points", str(path))
        assert "第 2 行" in capsys.readouterr().err
        assert "未写入任何数据" in str(info.value)
