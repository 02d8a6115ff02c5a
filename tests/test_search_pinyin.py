"""Pinyin as teachers type it on the site: keys for the summary, the tags and
the knowledge points' ancestors, and prefixes of full pinyin and initials,
on the database backend and both engines."""

from tests.search_checks import strict_top5_misses
from text_analysis.chinese import pinyin_text

# (query, a title it must find in the strict pass)
PINYIN = [
    # partial full pinyin, from a word's start
    ("gougu", "勾股定理的证明：赵爽弦图"),
    ("ercihanshu", "二次函数的图像与性质（一）"),
    ("guanghe", "光合作用的原料和产物"),
    ("yiyuanerci", "一元二次方程的解法——配方法"),
    # long initials, whole or a prefix
    ("ggdldz", "勾股定理的证明：赵爽弦图"),
    ("yyecfc", "一元二次方程复习课件"),
    # a tag, the summary, a knowledge point's parent
    ("shuxuewenhua", "勾股定理的证明：赵爽弦图"),
    ("miaodianfa", "二次函数的图像与性质（一）"),
    ("guangdefanshe", "平面镜成像特点"),
]


def test_prefix_keys():
    keys = pinyin_text("勾股定理的证明").split()
    for key in ("gougu", "gougudingli", "ggdldz", "ggdldzm", "zhengming", "gg"):
        assert key in keys, key
    # One syllable is no prefix key (gou would find every 狗, 购, 构…).
    assert "gou" not in keys
    # A long text gives prefix keys for its start only.
    long_text = "勾股定理" + "。" * 80 + "二次函数"
    assert "gougu" in pinyin_text(long_text).split()
    assert "ercihan" not in pinyin_text(long_text).split()
    assert "hanshu" in pinyin_text(long_text).split()


def test_pinyin_finds_lessons_database(demo, database_index):
    assert strict_top5_misses(database_index, PINYIN) == []


def test_pinyin_finds_lessons_engine(demo, engine_backend):
    assert strict_top5_misses(engine_backend, PINYIN) == []
