"""The dashboard's gap list: grade column, filter, sort, pages, hostile query
strings, and the page, the exports and the API counting the same rows."""

import csv
import html
import io
import re
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from dashboard.coverage import coverage

pytestmark = pytest.mark.django_db

URL = "/dashboard/?year=2026"
# First characters in pinyin order (a, bai, cao, … zao); their code points
# are in another order, so a sort by code point fails the name test.
PINYIN_ORDER = "阿白草大鹅法高海江卡蓝马牛欧盘七人山天哇西鸭早"
# Junior grades by sort order; by name (七 九 八 in code points) they differ.
JUNIOR = ["g9", "g7", None, "g8"]
N_MATHS, N_CHINESE = 100, 30


@pytest.fixture(autouse=True)
def database_counter(settings):
    settings.DASHBOARD_QUOTA_ENGINE_URL = ""


@pytest.fixture
def gap_world(quota_users):
    """130 uncovered points: 100 in 初中数学 (grades 七/八/九 and none), 30 in
    小学语文 (一–六年级). Codes KP-1 … KP-100 are created out of numeric
    order, so tree order, code order and plain string order all differ."""
    from catalog.models import Grade, Stage, Subject
    from tests.factories import KnowledgePointFactory

    grades = {g.code: g for g in Grade.objects.all()}
    junior, primary = (
        Stage.objects.get(code="junior"),
        Stage.objects.get(code="primary"),
    )
    maths, chinese = (
        Subject.objects.get(code="maths"),
        Subject.objects.get(code="chinese"),
    )
    root = KnowledgePointFactory(name="数与代数", stage=junior, subject=maths)
    for n in sorted(range(1, N_MATHS + 1), key=lambda n: (n * 37) % 101):
        grade = JUNIOR[n % 4]
        KnowledgePointFactory(
            code=f"KP-{n}",
            name=f"{PINYIN_ORDER[(n * 7) % len(PINYIN_ORDER)]}点{n}",
            parent=root,
            stage=junior,
            subject=maths,
            grade=grades[grade] if grade else None,
        )
    root = KnowledgePointFactory(name="阅读", stage=primary, subject=chinese)
    for n in range(1, N_CHINESE + 1):
        KnowledgePointFactory(
            code=f"CN-{n}",
            name=f"{PINYIN_ORDER[n % len(PINYIN_ORDER)]}读{n}",
            parent=root,
            stage=primary,
            subject=chinese,
            grade=grades[f"g{n % 6 + 1}"],
        )
    return {"junior": junior, "primary": primary, "maths": maths, "grades": grades}


@pytest.fixture
def bureau(client, quota_users):
    client.force_login(quota_users["bureau"])
    return client


def all_rows(client, query=""):
    """Every row of the list, page after page, and the first page's context."""
    first = client.get(f"{URL}{query}")
    assert first.status_code == 200
    rows = list(first.context["gaps"])
    for number in range(2, first.context["gap_page"].pages + 1):
        rows += client.get(f"{URL}{query}&gap_page={number}").context["gaps"]
    return rows, first.context


def code_number(row):
    return int(row["code"].split("-")[1])


# -- pages --------------------------------------------------------------------


def test_fifty_a_page_and_every_row_once(bureau, gap_world):
    response = bureau.get(URL)
    page = response.context["gap_page"]
    assert (page.total, page.pages, page.number) == (130, 3, 1)
    assert len(response.context["gaps"]) == 50
    html_text = response.content.decode()
    assert "第 1 / 3 页（第 1–50 条，共 130 条）" in html_text
    assert "130 个未覆盖知识点" in html_text
    last = bureau.get(URL + "&gap_page=3").context
    assert (len(last["gaps"]), last["gap_page"].first_index) == (30, 101)
    assert last["gap_next"] is None and "gap_page=2" in last["gap_prev"]
    rows, _ = all_rows(bureau)
    assert len({r["id"] for r in rows}) == len(rows) == 130


@pytest.mark.parametrize(
    "value, number",
    [
        ("3", 3),
        ("4", 3),  # past the end: the last page
        ("999999999", 3),
        ("9" * 30, 3),
        ("9" * 5000, 1),  # not a number anyone typed: the first
        ("0", 1),
        ("-1", 1),
        ("²", 1),
        ("٣", 1),  # an Arabic-Indic three: int() would read it
        ("2.0", 1),
        ("abc", 1),
        ("../", 1),
        ("1 OR 1=1", 1),
        ("", 1),
    ],
)
def test_page_out_of_range_or_garbage(bureau, gap_world, value, number):
    response = bureau.get(URL, {"year": 2026, "gap_page": value})
    assert response.status_code == 200
    assert response.context["gap_page"].number == number
    assert response.context["gap_query"].errors == []


def test_page_links_keep_filter_and_sort(bureau, gap_world):
    junior = gap_world["junior"].pk
    context = bureau.get(
        f"{URL}&gap_stage={junior}&gap_sort=code&gap_dir=desc&gap_page=1"
    ).context
    link = context["gap_next"]
    assert f"gap_stage={junior}" in link and "gap_sort=code" in link
    assert "gap_dir=desc" in link and "gap_page=2" in link and "year=2026" in link
    nxt = bureau.get(html.unescape("/dashboard/" + link.split("#")[0])).context
    assert [code_number(r) for r in nxt["gaps"]] == list(range(50, 0, -1))


# -- sort ---------------------------------------------------------------------


def tree_order(stage=None):
    return [g["code"] for g in coverage().gaps if not stage or g["stage_id"] == stage]


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_sort_by_code_is_numeric(bureau, gap_world, direction):
    junior = gap_world["junior"].pk
    rows, _ = all_rows(bureau, f"&gap_stage={junior}&gap_sort=code&gap_dir={direction}")
    expected = list(range(1, N_MATHS + 1))  # KP-2 before KP-10
    assert [code_number(r) for r in rows] == (
        expected if direction == "asc" else expected[::-1]
    )


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_sort_by_name_is_pinyin(bureau, gap_world, direction):
    junior = gap_world["junior"].pk
    rows, _ = all_rows(bureau, f"&gap_stage={junior}&gap_sort=name&gap_dir={direction}")
    ranks = [PINYIN_ORDER.index(r["name"][0]) for r in rows]
    assert ranks == sorted(ranks, reverse=direction == "desc")
    assert len(set(ranks)) == len(PINYIN_ORDER)


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_sort_by_grade_follows_the_school_years(bureau, gap_world, direction):
    junior = gap_world["junior"].pk
    rows, _ = all_rows(
        bureau, f"&gap_stage={junior}&gap_sort=grade&gap_dir={direction}"
    )
    grades = [r["grade"] for r in rows]
    blocks = ["七年级", "八年级", "九年级", "—"]  # ungraded last, going up
    if direction == "desc":
        blocks.reverse()
    assert grades == [g for g in blocks for _ in range(N_MATHS // 4)]
    # Within a grade the tree order is kept, in both directions.
    tree = tree_order(junior)
    for grade in blocks:
        codes = [r["code"] for r in rows if r["grade"] == grade]
        assert codes == [c for c in tree if c in codes]


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_sort_by_path_is_the_tree_order(bureau, gap_world, direction):
    rows, _ = all_rows(bureau, f"&gap_sort=path&gap_dir={direction}")
    tree = tree_order()
    assert [r["code"] for r in rows] == (tree if direction == "asc" else tree[::-1])


@pytest.mark.parametrize(
    "sort, direction",
    [("pk", "asc"), ("name; DROP TABLE", "desc"), ("../", "²"), ("code", "DESC ")],
)
def test_unknown_sort_falls_back_without_error(bureau, gap_world, sort, direction):
    response = bureau.get(URL, {"year": 2026, "gap_sort": sort, "gap_dir": direction})
    assert response.status_code == 200
    query = response.context["gap_query"]
    assert query.errors == []
    if sort == "code":  # a known key keeps, an unknown direction is ascending
        assert (query.sort, query.descending) == ("code", False)
    else:  # the default order (the tree), in the direction asked for
        assert query.sort == "path"
        rows, _ = all_rows(
            bureau, f"&gap_sort={quote(sort)}&gap_dir={quote(direction)}"
        )
        tree = tree_order()
        assert [r["code"] for r in rows] == (
            tree[::-1] if direction == "desc" else tree
        )


def test_sorted_header_links_toggle_direction(bureau, gap_world):
    context = bureau.get(URL + "&gap_sort=name").context
    columns = {c["key"]: c for c in context["gap_columns"]}
    assert columns["name"]["sorted"] == "ascending"
    assert "gap_dir=desc" in columns["name"]["url"]
    assert "gap_dir" not in columns["code"]["url"]
    assert columns["code"]["sorted"] == ""


# -- grade column and filter --------------------------------------------------


def test_grade_column_and_dash_without_grade(bureau, gap_world):
    response = bureau.get(URL + "&gap_sort=code")
    text = response.content.decode()
    assert "<th" in text and ">年级" in text
    row = next(r for r in response.context["gaps"] if r["code"] == "KP-2")
    assert row["grade"] == "—"  # JUNIOR[2] is None
    assert re.search(
        r"<code>KP-2</code></td><td>[^<]+</td><td class=\"grade\">—</td>", text
    )
    assert re.search(
        r"<code>KP-1</code></td><td>[^<]+</td><td class=\"grade\">七年级</td>", text
    )


def test_grade_filter(bureau, gap_world):
    junior, g8 = gap_world["junior"].pk, gap_world["grades"]["g8"].pk
    rows, context = all_rows(bureau, f"&gap_stage={junior}&gap_grade={g8}")
    assert context["gap_query"].errors == []
    assert len(rows) == context["gap_total"] == N_MATHS // 4
    assert {r["grade"] for r in rows} == {"八年级"}
    # The grade select offers the selected stage's grades only.
    assert [g.code for g in context["gap_grades"]] == ["g7", "g8", "g9"]
    # A grade alone (no stage) filters too.
    rows, _ = all_rows(bureau, f"&gap_grade={gap_world['grades']['g2'].pk}")
    assert {r["code"] for r in rows} == {f"CN-{n}" for n in (1, 7, 13, 19, 25)}


def test_grade_of_another_stage_is_dropped_with_a_sentence(bureau, gap_world):
    primary, g8 = gap_world["primary"].pk, gap_world["grades"]["g8"].pk
    response = bureau.get(f"{URL}&gap_stage={primary}&gap_grade={g8}")
    assert response.status_code == 200
    assert "所选年级不属于所选学段，缺口清单显示全部年级。" in response.content.decode()
    assert response.context["gap_query"].grade is None
    assert response.context["gap_total"] == N_CHINESE


def test_error_sentence_in_english(bureau, gap_world):
    bureau.cookies["django_language"] = "en"
    response = bureau.get(URL + "&gap_grade=²")
    text = response.content.decode()
    assert "Unknown grade; the gap list shows every grade." in text
    assert "130 uncovered knowledge points" in text
    assert "年级无效" not in text


# -- hostile parameters -------------------------------------------------------

HOSTILE = ["²", "9" * 30, "../", "..%2F..%2Fetc", "1 OR 1=1", "1'; DROP TABLE x;--",
           "-1", "٣", "0x10", " 1"]  # fmt: skip
SENTENCES = {
    "gap_stage": "学段无效，缺口清单显示全部学段。",
    "gap_subject": "学科无效，缺口清单显示全部学科。",
    "gap_grade": "年级无效，缺口清单显示全部年级。",
}


@pytest.mark.parametrize("param", sorted(SENTENCES))
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_filter_ids_are_dropped_with_one_sentence(
    bureau, gap_world, param, value
):
    response = bureau.get("/dashboard/", {"year": 2026, param: value})
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count(SENTENCES[param]) == 1
    assert response.context["gap_total"] == 130
    for fmt in ("csv", "xlsx"):
        export = bureau.get(f"/dashboard/export.{fmt}", {"year": 2026, param: value})
        assert export.status_code == 200


@pytest.mark.parametrize("value", ["²", "9" * 30, "../", "1 OR 1=1"])
def test_hostile_district_is_ignored(bureau, gap_world, value):
    for path in ("/dashboard/", "/dashboard/export.csv"):
        response = bureau.get(path, {"year": 2026, "district": value})
        assert response.status_code == 200, path


def test_unknown_but_wellformed_id_is_dropped(bureau, gap_world):
    response = bureau.get(URL + "&gap_subject=999999")
    assert SENTENCES["gap_subject"] in response.content.decode()
    assert response.context["gap_query"].subject is None


def test_anonymous_and_teacher_get_no_gap_list(client, quota_users, gap_world):
    query = "&gap_sort=code&gap_page=2"
    assert client.get(URL + query).status_code == 302
    assert client.get("/dashboard/export.csv?year=2026" + query).status_code == 302
    client.force_login(quota_users["teacher"])
    assert client.get(URL + query).status_code == 403
    assert client.get("/dashboard/export.csv?year=2026" + query).status_code == 403


# -- the page, the exports and the API agree ---------------------------------


def export_link(page_html, fmt):
    match = re.search(rf'href="(/dashboard/export\.{fmt}\?[^"]+)"', page_html)
    return html.unescape(match.group(1))


def csv_gaps(text):
    rows = list(csv.reader(io.StringIO(text)))
    start = next(
        i for i, r in enumerate(rows) if r and r[0] == "缺口清单" and len(r) > 2
    )
    return rows[start + 1 :], rows


@pytest.mark.parametrize(
    "query",
    [
        "",
        "&gap_stage={junior}&gap_subject={maths}&gap_grade={g8}&gap_sort=code&gap_dir=desc",
        "&gap_stage={junior}&gap_sort=grade",
        "&gap_subject={maths}&gap_sort=name&gap_dir=desc",
    ],
)
def test_page_exports_and_api_count_the_same_rows(bureau, gap_world, query):
    ids = {
        "junior": gap_world["junior"].pk,
        "maths": gap_world["maths"].pk,
        "g8": gap_world["grades"]["g8"].pk,
    }
    query = query.format(**ids)
    rows, context = all_rows(bureau, query)
    page_html = bureau.get(URL + query).content.decode()
    shown = [(r["code"], r["name"], r["grade"]) for r in rows]
    assert len(shown) == context["gap_total"]

    # The export links carry the filter and the order (not the page).
    csv_url = export_link(page_html, "csv")
    assert "gap_page" not in csv_url
    text = bureau.get(csv_url).content.decode("utf-8-sig")
    gaps, all_csv = csv_gaps(text)
    assert [(g[1], g[2], g[6]) for g in gaps] == shown
    scope = next(r for r in all_csv if r and r[0] == "缺口清单" and len(r) == 2)
    assert scope[1].endswith("↓" if "gap_dir=desc" in query else "↑")

    book = load_workbook(io.BytesIO(bureau.get(export_link(page_html, "xlsx")).content))
    # The first row right under the frozen header (no empty row between).
    assert book["缺口清单"].freeze_panes == "A2"
    sheet = [r for r in book["缺口清单"].iter_rows(min_row=2, values_only=True)]
    assert [(r[0], r[1], r[5]) for r in sheet] == shown

    # The API gives the same points for the same stage, subject and grade.
    if "gap_subject" in query:
        api = f"/api/v1/coverage/?subject={ids['maths']}&stage={ids['junior']}"
        if "gap_grade" in query:
            api += f"&grade={ids['g8']}"
        data = bureau.get(api).json()
        assert len(data["gaps"]) == len(shown)
        assert sorted(g["code"] for g in data["gaps"]) == sorted(c for c, *_ in shown)


def test_report_command_keeps_the_full_list(gap_world, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "r.csv"
    call_command("quota_report", "--year", "2026", "--format", "csv", "-o", str(out))
    gaps, _ = csv_gaps(out.read_bytes().decode("utf-8-sig"))
    assert [g[1] for g in gaps] == tree_order()


def test_empty_selection_keeps_its_choice(bureau, gap_world):
    from catalog.models import Subject

    physics = Subject.objects.get(code="physics")
    response = bureau.get(f"{URL}&gap_subject={physics.pk}")
    assert response.context["gap_total"] == 0
    assert physics in response.context["gap_subjects"]
    text = response.content.decode()
    assert f'<option value="{physics.pk}" selected>' in text
    assert "所选范围内没有未覆盖的知识点。" in text
    assert "dash-pages" not in text
