"""The curriculum synonym table: seeded by a data migration, edited by
administrators in the Wagtail admin, applied at query time on every backend."""

import pytest
from django.core.exceptions import ValidationError

from search.selectors import search_lessons
from tests.search_checks import strict_top5_misses
from text_analysis.chinese import ParsedQuery
from text_analysis.synonyms import SynonymTable

# (query, a demo title that must be in the top 5): every query uses a name the
# demo catalog never writes, known only through the seeded table.
SYNONYM_QUERIES = [
    ("毕达哥拉斯定理", "勾股定理的证明：赵爽弦图"),
    ("毕氏定理", "勾股定理的逆定理及其应用"),
    ("勾股定理 初二", "勾股定理分层练习"),
]


def test_table_matches_phrases_and_whole_latin_words():
    table = SynonymTable([["Present Simple", "一般现在时"], ["初二", "八年级"]])
    parsed = ParsedQuery("present simple 练习", synonyms=table)
    assert "一般现在时" in ["".join(parts) for parts in parsed.groups[0][1]]
    assert "练习" in parsed.words
    # A Latin term matches whole words only: "presentation" is not "present".
    assert SynonymTable([["present", "现在"]]).find("presentation") == []
    # Full-width and traditional spellings fold before matching.
    assert (
        ParsedQuery("初二", synonyms=table).groups
        == ParsedQuery("初二", synonyms=SynonymTable([["初二", "八年級"]])).groups
    )


def test_seeded_table_has_curriculum_synonyms(db):
    from search.models import SearchSynonym

    groups = [set(row.term_list()) for row in SearchSynonym.objects.all()]
    assert len(groups) >= 40
    for pair in [
        {"毕达哥拉斯定理", "勾股定理"},
        {"百分比", "百分数"},
        {"乘法表", "乘法口诀"},
        {"初二", "八年级"},
        {"初一", "七年级"},
        {"Present Simple", "一般现在时"},
    ]:
        assert any(pair <= group for group in groups), pair


def test_synonyms_database(demo, database_index):
    assert strict_top5_misses("default", SYNONYM_QUERIES) == []


def test_synonyms_engine(demo, engine_backend):
    assert strict_top5_misses(engine_backend, SYNONYM_QUERIES) == []


def test_a_new_synonym_applies_at_once(demo, database_index):
    from search.models import SearchSynonym

    assert search_lessons({"q": "pivot table"}).total == 0
    SearchSynonym.objects.create(terms="数据透视表\npivot table")
    titles = [h["title"] for h in search_lessons({"q": "Pivot Table"}).hits]
    assert titles == ["Excel 数据透视表入门"]


@pytest.mark.parametrize(
    "terms",
    [
        "勾股定理",  # one term is no synonym
        "勾股定理\n\x00毕氏定理",  # control characters
        "勾股定理\n" + "长" * 51,  # a term longer than 50 characters
        "\n".join(f"词{i}" for i in range(21)),  # more than 20 terms
    ],
)
def test_bad_synonym_rows_are_refused(db, terms):
    from search.models import SearchSynonym

    with pytest.raises(ValidationError):
        SearchSynonym(terms=terms).full_clean()


def test_administrators_edit_synonyms_in_the_admin(admin_client, db):
    from search.models import SearchSynonym

    resp = admin_client.get("/admin/snippets/search/searchsynonym/")
    assert resp.status_code == 200
    assert "勾股定理" in resp.content.decode()
    resp = admin_client.post(
        "/admin/snippets/search/searchsynonym/add/",
        {"terms": "凸透镜\n放大镜", "note": ""},
    )
    assert resp.status_code == 302
    assert SearchSynonym.objects.filter(terms="凸透镜\n放大镜").exists()
