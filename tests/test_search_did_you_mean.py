"""「您是不是要找」: a query written with the wrong characters (homophones from
the input method, traditional forms) is offered the catalog's own spelling,
on the database backend and on both engines, in the API and on /find/."""

from search import did_you_mean
from search.selectors import search_lessons

TYPOS = [
    ("勾股定里", "勾股定理"),  # 理 → 里: same sound
    ("歐母定律", "欧姆定律"),  # traditional, and 姆 → 母
    ("二次函树", "二次函数"),  # 数 → 树
    ("勾股定里的证明", "勾股定理的证明"),  # a longer query keeps its other words
]
NO_SUGGESTION = [
    "勾股定理",  # written right
    "微积分基本定理",  # not in a K-12 catalog, nothing sounds like it
    "qwertyuiop",
    "勾" * 40,  # too long to be a typo
]


def check(backend):
    wrong = []
    for typo, meant in TYPOS:
        result = search_lessons({"q": typo}, backend)
        if result.did_you_mean != meant:
            wrong.append(f"{typo}: {result.did_you_mean!r}, wanted {meant!r}")
        elif search_lessons({"q": meant}, backend).total == 0:
            wrong.append(f"{meant} finds nothing")
    for query in NO_SUGGESTION:
        suggestion = search_lessons({"q": query}, backend).did_you_mean
        if suggestion is not None:
            wrong.append(f"{query}: offered {suggestion!r}")
    return wrong


def test_typos_are_offered_the_catalogs_spelling_database(demo, database_index):
    assert check(database_index) == []


def test_typos_are_offered_the_catalogs_spelling_engine(demo, engine_backend):
    assert check(engine_backend) == []


def test_a_suggestion_must_find_something(demo, database_index):
    # 勾股定里 sounds like 勾股定理, but with a filter that leaves nothing the
    # better spelling finds nothing either: no suggestion.
    result = search_lessons({"q": "勾股定里", "stage": "primary"}, database_index)
    assert result.did_you_mean is None
    # Later pages do not recompute it.
    assert search_lessons({"q": "勾股定里", "page": 2}).did_you_mean is None


def test_a_word_written_right_is_never_corrected(demo, database_index):
    # Each piece of these is a catalog term or lies inside one.
    for query in ("勾股定理", "欧姆定律", "二次函数的图像", "勾股定理 欧姆定律"):
        assert did_you_mean.candidate(query) is None, query


def test_vocabulary_follows_the_catalog(
    demo, database_index, django_capture_on_commit_callbacks
):
    from catalog.models import KnowledgePoint

    assert did_you_mean.candidate("欧母定律") == "欧姆定律"
    point = KnowledgePoint.objects.filter(name="欧姆定律").first()
    with django_capture_on_commit_callbacks(execute=True):
        point.name = "欧姆定律及其应用"
        point.save()
    # The renamed point is offered at once (its entries' change was announced).
    assert did_you_mean.candidate("欧母定律及其应用") == "欧姆定律及其应用"


def test_api_and_site_offer_it_escaped(client, demo, database_index):
    # Markup without letters is no word: the suggestion keeps it as typed, and
    # the page shows it as text.
    typo = '勾股定里"><!--'
    data = client.get("/api/v1/lessons/", {"q": typo}).json()
    assert data["did_you_mean"] == '勾股定理"><!--'
    page = client.get("/find/", {"q": typo}).content.decode()
    assert "您是不是要找：" in page
    assert "勾股定理&quot;&gt;&lt;!--</a>" in page
    assert 'href="?q=%E5%8B%BE%E8%82%A1%E5%AE%9A%E7%90%86%22%3E%3C%21--"' in page
    assert '"><!--' not in page
    # With a word nothing has, the better spelling finds nothing: none offered.
    data = client.get("/api/v1/lessons/", {"q": "<script>勾股定里"}).json()
    assert data["did_you_mean"] is None


def test_english_site_says_it_in_english(client, demo, database_index):
    client.cookies["django_language"] = "en"
    page = client.get("/find/", {"q": "勾股定里"}).content.decode()
    assert "Did you mean:" in page
    assert "您是不是要找" not in page


def test_vocabulary_is_built_once_for_all_processes(
    demo, django_assert_num_queries, clean_cache
):
    """Reading the titles with jieba takes seconds at 10,000 lessons: one web
    process builds the vocabulary and the others read it from the shared
    cache (issue 15: each of five gunicorn workers rebuilding it held
    searches for seconds). A change of an entry forgets both copies."""
    did_you_mean.forget()
    built = did_you_mean.vocabulary()
    did_you_mean._cache.clear()  # another process: nothing of its own yet
    with django_assert_num_queries(0):
        assert did_you_mean.vocabulary() == built
    did_you_mean.forget()
    assert clean_cache.get(did_you_mean.SHARED_KEY) is None
