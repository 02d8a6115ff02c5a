"""Traditional characters fold to simplified (OpenCC t2s) at index and query
time, on the database backend and on both engines."""

import pytest

from catalog.models import CatalogEntryPage
from search.selectors import search_lessons
from text_analysis.chinese import ParsedQuery, highlight, pinyin_text, segment

# (traditional query, a demo title it must find in the top 5)
TRADITIONAL = [
    ("歐姆定律", "欧姆定律的探究实验"),
    ("二次函數", "二次函数的图像与性质（一）"),
    ("鴉片戰爭", "鸦片战争 课件"),
    ("光合作用的原料和產物", "光合作用的原料和产物"),
    ("勾股定理的證明", "勾股定理的证明：赵爽弦图"),
    ("聲音的產生與傳播", "声音的产生与传播"),
]
# A lesson written in traditional characters, found by simplified queries.
TRADITIONAL_TITLE = "電磁感應現象與發電機"


def test_analysis_folds_traditional_to_simplified():
    assert segment("電磁感應") == segment("电磁感应")
    assert ParsedQuery("雞兔同籠").words == ParsedQuery("鸡兔同笼").words
    assert pinyin_text("歐姆定律") == pinyin_text("欧姆定律")
    # Highlighting finds the folded words in the original characters.
    assert highlight("電磁感應現象", ParsedQuery("电磁感应").terms) == (
        "<mark>電磁感應</mark>現象"
    )


@pytest.fixture
def traditional_entry(demo):
    entry = CatalogEntryPage.objects.get(title="通分")
    CatalogEntryPage.objects.filter(pk=entry.pk).update(title=TRADITIONAL_TITLE)
    return entry.pk


def _check(backend):
    failures = []
    for query, title in TRADITIONAL:
        titles = [h["title"] for h in search_lessons({"q": query}, backend).hits[:5]]
        if title not in titles:
            failures.append(f"{query!r}: {title!r} not in {titles}")
    for query in ("电磁感应", "發電機", "发电机"):
        titles = [h["title"] for h in search_lessons({"q": query}, backend).hits[:5]]
        if TRADITIONAL_TITLE not in titles:
            failures.append(f"{query!r}: {TRADITIONAL_TITLE!r} not in {titles}")
    return failures


def test_traditional_database(traditional_entry, database_index):
    failures = _check("default")
    assert not failures, "\n".join(failures)


def test_traditional_engine(traditional_entry, engine_backend):
    failures = _check(engine_backend)
    assert not failures, "\n".join(failures)
