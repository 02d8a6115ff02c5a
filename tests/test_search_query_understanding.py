"""Query understanding that keeps every character's evidence (no database)."""

from search.selectors import search_lessons
from tests.search_checks import strict_top5_misses
from text_analysis.chinese import ParsedQuery


def test_separated_characters_are_rejoined():
    assert ParsedQuery("鸡 兔 同 笼").words == ParsedQuery("鸡兔同笼").words
    assert ParsedQuery("勾 股 定理").words == ParsedQuery("勾股定理").words
    # Full-width spaces separate too; real words stay apart.
    assert ParsedQuery("鸡\u3000兔\u3000同\u3000笼").words == ["鸡兔同笼"]
    assert ParsedQuery("王芳 分数").words == ["王芳", "分数"]


def test_half_pinyin_words_become_their_full_pinyin():
    # The input method was switched mid-word.
    assert ParsedQuery("勾gu定理").words == ["gougudingli"]
    assert ParsedQuery("ou姆定律").words == ["oumudinglv"]
    assert ParsedQuery("浮li").words == ["fuli"]
    # Latin that is not pinyin stays as typed, beside its Chinese word.
    assert ParsedQuery("DNA复制").words == ["dna", "复制"]
    assert ParsedQuery("x的平方").words == ["x", "平方"]


MIXED_QUERIES = [
    ("勾gu定理", "勾股定理的证明：赵爽弦图"),
    ("ou姆定律", "欧姆定律的探究实验"),
    ("浮li", "浮力产生的原因"),
]


def test_half_pinyin_queries_find_their_lesson_database(demo, database_index):
    assert strict_top5_misses(database_index, MIXED_QUERIES) == []


def test_half_pinyin_queries_find_their_lesson_engine(demo, engine_backend):
    assert strict_top5_misses(engine_backend, MIXED_QUERIES) == []


def test_lone_characters_stay_on_their_neighbour():
    # 过去|时: the 时 is evidence (过去时, not any 过去).
    assert ParsedQuery("过去时", join_singles=True).words == ["过去时"]
    assert ParsedQuery("勾股定里", join_singles=True).words == ["勾股定里"]
    assert ParsedQuery("勾股定里", join_singles=True).joined
    # Particles are not joined; without join_singles lone characters drop.
    assert not ParsedQuery("x的平方", join_singles=True).joined
    assert ParsedQuery("过去时").words == ["过去"]


def test_a_character_typed_as_a_word_counts():
    # 六年级 圆: the teacher typed 圆 on its own; it is no piece jieba cut off.
    assert ParsedQuery("六年级 圆").words == ["六年级", "圆"]
    assert ParsedQuery("六年级\u3000圆").words == ["六年级", "圆"]
    # Kept on its neighbour first (the selector's first try), as before.
    assert ParsedQuery("六年级 圆", join_singles=True).words == ["六年级圆"]
    # Cut off by jieba, it still only counts when nothing else does.
    assert ParsedQuery("函数图像的数").words == ["函数", "图像"]


def test_lone_character_narrows_the_search_database(demo, database_index):
    from search.services import rebuild_index
    from tests.fixtures_site import make_lessons

    make_lessons(1, title="回顾过去的一年")
    rebuild_index("default")
    titles = [h["title"] for h in search_lessons({"q": "过去时"}).hits]
    assert titles == ["Unit 5 语法专项练习：过去进行时"]
    # A typo still falls back to dropping it, then to the second pass.
    assert search_lessons({"q": "勾股定里"}).total == 3
