"""The same Chinese relevance suite on the database backend and on real
OpenSearch and Elasticsearch nodes (`engine_backend` runs each engine test on
both); plus equal facet counts and hits on the database and each engine."""

from search.selectors import search_lessons
from tests.search_relevance_set import CATEGORIES, RELEVANCE_SET, measure
from text_analysis.chinese import ParsedQuery, highlight

# (query, titles that must all be in the top 5)
RELEVANCE = [
    # two-character words inside longer titles
    ("函数", ["二次函数的图像与性质（一）", "函数的单调性"]),
    ("光学", ["光的折射规律", "平面镜成像特点"]),
    ("浮力", ["浮力产生的原因"]),
    ("通分", ["通分"]),
    ("透镜", ["凸透镜成像的规律"]),
    ("成像", ["平面镜成像特点", "凸透镜成像的规律"]),
    ("弦图", ["勾股定理的证明：赵爽弦图"]),
    ("课件", ["一元二次方程复习课件"]),
    ("自转", ["地球的自转与公转"]),
    ("比喻", ["修辞手法：比喻句的妙用"]),
    # whole words and phrases
    ("二次函数", ["二次函数的图像与性质（一）", "用待定系数法求二次函数解析式"]),
    ("光合作用", ["光合作用的原料和产物"]),
    ("勾股定理", ["勾股定理的证明：赵爽弦图", "勾股定理的逆定理及其应用"]),
    ("欧姆定律", ["欧姆定律的探究实验"]),
    ("阿基米德原理", ["阿基米德原理"]),
    ("质量守恒定律", ["质量守恒定律"]),
    ("一元二次方程", ["一元二次方程的解法——配方法", "一元二次方程复习课件"]),
    ("鸦片战争", ["鸦片战争 课件"]),
    ("自由落体", ["自由落体运动"]),
    ("数据透视表", ["Excel 数据透视表入门"]),
    # phrases across word boundaries and word order
    ("函数图像", ["二次函数的图像与性质（一）", "一次函数的图像"]),
    ("二次函数图像", ["二次函数的图像与性质（一）"]),
    ("圆面积", ["圆的面积公式推导"]),
    ("折射规律", ["光的折射规律"]),
    ("勾股定理逆定理", ["勾股定理的逆定理及其应用"]),
    ("声音传播", ["声音的产生与传播"]),
    ("三角形内角和", ["三角形的内角和"]),
    ("电功率练习", ["电功率计算专项练习"]),
    ("分数加法", ["分数的加法和减法 课件"]),
    # with a grade, a subject or a person
    ("勾股定理 八年级", ["勾股定理的证明：赵爽弦图", "勾股定理分层练习"]),
    ("物理 力学", ["浮力产生的原因", "牛顿第一定律"]),
    ("王芳 分数", ["分数的基本性质", "通分"]),
    ("张丽 光学", ["光的折射规律", "平面镜成像特点"]),
    ("实验小学 几何", ["圆的面积公式推导", "三角形的内角和"]),
    # mixed Chinese / English / digits
    ("Excel 透视表", ["Excel 数据透视表入门"]),
    ("excel", ["Excel 数据透视表入门"]),
    ("Unit 5 语法", ["Unit 5 语法专项练习：过去进行时"]),
    ("Phonics", ["Phonics: short vowel a"]),
    ("y=ax²", ["二次函数的图像与性质（一）"]),
    ("What would you like", ["Unit 3 What would you like? 课件"]),
    # full-width letters, digits and space (folded by NFKC on every backend)
    ("ＥＸＣＥＬ　透视表", ["Excel 数据透视表入门"]),
    ("Ｕｎｉｔ ５ 语法", ["Unit 5 语法专项练习：过去进行时"]),
    # pinyin initials and full pinyin
    ("gg dl", ["勾股定理的证明：赵爽弦图", "勾股定理的逆定理及其应用"]),
    ("ggdl", ["勾股定理分层练习"]),
    ("ghzy", ["光合作用的原料和产物"]),
    ("fuli", ["浮力产生的原因"]),
    # one-character typos (the relaxed second pass)
    ("勾股定里", ["勾股定理的证明：赵爽弦图"]),
    ("光合做用", ["光合作用的原料和产物"]),
]


def _titles(results):
    return [hit["title"] for hit in results.hits[:5]]


def _check_all(backend):
    failures = []
    for query, expected in RELEVANCE:
        titles = _titles(search_lessons({"q": query}, backend=backend))
        missing = [t for t in expected if t not in titles]
        if missing:
            failures.append(f"{query!r}: missing {missing}, got {titles}")
    return failures


AUTOCOMPLETE = [
    # prefixes of segmented words (edge n-grams; made in Python on
    # Elasticsearch, whose core has no edge_ngram filter)
    ("勾股定", ["勾股定理分层练习", "勾股定理的证明：赵爽弦图"]),
    ("二次函", ["二次函数的图像与性质（一）"]),
    ("Exc", ["Excel 数据透视表入门"]),
    ("phon", ["Phonics: short vowel a"]),
]


def _check_autocomplete(backend_name):
    """modelsearch's `.autocomplete()` on an engine (the title's edge n-grams)."""
    from modelsearch.backends import get_search_backend

    from catalog.models import CatalogEntryPage

    backend = get_search_backend(backend_name)
    failures = []
    for query, expected in AUTOCOMPLETE:
        found = backend.autocomplete(query, CatalogEntryPage.objects.live())
        titles = [page.title for page in found[:5]]
        if missing := [t for t in expected if t not in titles]:
            failures.append(f"autocomplete {query!r}: missing {missing}, got {titles}")
    return failures


# The bar for its held-out set, per category of the labelled set.
MIN_RECALL = MIN_MRR = 0.9


def _check_set(backend):
    """The labelled set by category (tests/search_relevance_set.py)."""
    failures = []
    for category, f in measure(search_lessons, backend).items():
        if f["recall@10"] < MIN_RECALL or f["mrr"] < MIN_MRR:
            failures.append(f"{category}: {f}")
        if category == "nothing" and f["empty"] < 1:
            failures.append(f"nothing: {f['empty']:.2f} of them empty")
    return failures


def test_relevance_suite_is_large_enough():
    assert len(RELEVANCE) >= 40
    assert set(RELEVANCE_SET) == set(CATEGORIES)
    assert sum(map(len, RELEVANCE_SET.values())) >= 60


def test_relevance_database(demo, database_index):
    failures = _check_all("default") + _check_set("default")
    assert not failures, "\n".join(failures)


def test_relevance_engine(demo, engine_backend):
    failures = (
        _check_all(engine_backend)
        + _check_autocomplete(engine_backend)
        + _check_set(engine_backend)
    )
    assert not failures, "\n".join(failures)


def test_full_width_text_is_highlighted():
    marked = highlight("Ｅｘｃｅｌ 数据", ParsedQuery("excel 数据").terms)
    assert marked == "<mark>Ｅｘｃｅｌ</mark> <mark>数据</mark>"


FACET_QUERIES = [
    {"q": "函数"},
    {"q": "光学"},
    {"q": "实验", "stage": "junior"},
    {"q": ""},
    {"q": "", "quality": "1"},
    {"q": "练习", "sort": "newest"},
    {"q": "gg dl"},
    {"q": "函数", "knowledge_point": "MA-J-09-22"},
    {"q": "", "type": "micro_lesson", "year": "2025"},
]


def test_database_and_engine_agree(demo, database_index, engine_backend):
    """Same totals, facet counts and hits for the same query (one seeding and
    one rebuild for all queries keeps this fast)."""
    mismatches = []
    for params in FACET_QUERIES:
        db = search_lessons(params, backend="default")
        engine = search_lessons(params, backend=engine_backend)
        assert db.total > 0, params
        if db.total != engine.total or db.facets != engine.facets:
            mismatches.append(
                f"{params}: db {db.total} {db.facets}\n"
                f"engine {engine.total} {engine.facets}"
            )
        elif {h["id"] for h in db.hits} != {h["id"] for h in engine.hits}:
            mismatches.append(f"{params}: different hits")
    assert not mismatches, "\n".join(mismatches)
