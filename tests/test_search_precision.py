"""The precise second pass (text_analysis/relaxed.py): when no entry has every
word, an entry needs a proportional share of the query's pieces and as many
as the best entry (less one for longer queries). On the database backend and
both engines, which must keep the same entries."""

from search.selectors import search_lessons
from text_analysis.chinese import ParsedQuery

# Nothing in the demo's K-12 catalog: every one shares a word with it
# (定理, 方程, 实验, 函数), which the old "any one word" pass returned.
NOTHING = [
    "微积分基本定理",
    "薛定谔方程的推导",
    "区块链智能合约实验",
    "拉普拉斯变换与复变函数",
]
# (typo query, the only titles it may return): the intended lessons, not
# every lesson sharing 定律/定理/作用.
TYPOS = [
    ("欧母定律", {"欧姆定律的探究实验"}),
    ("光合做用", {"光合作用的原料和产物"}),
    ("牛顿第一定里", {"牛顿第一定律"}),
]
# A long question returns its lesson first and not much else.
QUESTIONS = [
    ("怎样用配方法解一元二次方程并检验结果", "一元二次方程的解法——配方法", 3),
    ("如何通过实验探究电流与电压电阻的关系欧姆定律", "欧姆定律的探究实验", 3),
]


def check(backend):
    wrong = []
    for query in NOTHING:
        result = search_lessons({"q": query}, backend)
        if result.total:
            titles = [hit["title"] for hit in result.hits]
            wrong.append(f"{query}: {result.total} found {titles}")
    for query, allowed in TYPOS:
        result = search_lessons({"q": query}, backend)
        titles = {hit["title"] for hit in result.hits}
        if not titles or titles - allowed:
            wrong.append(f"{query}: {sorted(titles)}")
    for query, first, most in QUESTIONS:
        result = search_lessons({"q": query}, backend)
        titles = [hit["title"] for hit in result.hits]
        if not titles or titles[0] != first or result.total > most:
            wrong.append(f"{query}: {result.total} {titles}")
    return wrong


def test_second_pass_is_precise_database(demo, database_index):
    assert check(database_index) == []


def test_second_pass_is_precise_engine(demo, database_index, engine_backend):
    assert check(engine_backend) == []
    # The same entries as the database backend, facets included.
    for query in [q for q, _ in TYPOS] + [q for q, _, _ in QUESTIONS] + ["杠杆原理"]:
        db = search_lessons({"q": query}, "default")
        engine = search_lessons({"q": query}, engine_backend)
        assert (db.total, db.facets) == (engine.total, engine.facets), query
        assert {h["id"] for h in db.hits} == {h["id"] for h in engine.hits}, query


def test_pieces_keep_every_characters_evidence():
    relaxed = ParsedQuery("勾股定里").relaxed
    # jieba cuts 勾|股定|里: the lone characters count with their neighbours.
    assert {word for word, _ in relaxed.pieces} == {"勾股", "股定", "定里"}
    assert "gougudingli" in {word for word, _ in relaxed.sounds}
    # A third of the pieces, and the best entry's count less one from four.
    question = ParsedQuery("微积分基本定理").relaxed
    assert len(question.pieces) == 4
    assert question.min_pieces == 2
    assert question.floor(4) == 3
    assert ParsedQuery("欧母定律").relaxed.floor(2) == 2
    # One piece and no sound: the relaxed pass would be the strict one.
    assert not ParsedQuery("qwertyuiop").relaxed


def test_question_words_are_no_evidence_in_the_relaxed_pass():
    # 为什么 and 看起来 are no lesson's topic: a question's pieces are its
    # topic words, so the lesson with 水中 筷子 折断 has a third of them.
    question = ParsedQuery("光从空气斜射入水中为什么筷子看起来折断了")
    pieces = {word for word, _ in question.relaxed.pieces}
    assert {"水中", "筷子", "折断", "空气"} <= pieces
    assert not pieces & {"为什", "什么", "看起", "起来"}
    assert len(question.relaxed.pieces) == 9
    # The strict pass still wants every word (a title may hold 为什么).
    assert "为什么" in question.words
