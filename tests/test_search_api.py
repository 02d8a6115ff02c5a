"""GET /api/v1/lessons/ and /suggest/: answers, 400s, hostile queries."""

import pytest

URL = "/api/v1/lessons/"


@pytest.fixture
def api(client, demo, database_index):
    return client


def test_search_with_facets_and_highlight(api):
    resp = api.get(URL, {"q": "二次函数"})
    assert resp.status_code == 200
    data = resp.json()
    assert data["total"] >= 2
    hit = data["hits"][0]
    assert "<mark>" in hit["title_html"]
    assert hit["stage"]["code"] == "junior"
    assert hit["subject"]["code"] == "maths"
    assert hit["url"]
    assert set(data["facets"]) == {
        "stage", "subject", "grade", "edition", "knowledge_point",
        "type", "quality", "year", "district",
    }  # fmt: skip
    assert sum(f["count"] for f in data["facets"]["stage"]) == data["total"]

    # Filters narrow; the knowledge point filter includes descendants.
    resp = api.get(URL, {"knowledge_point": "MA-J-09-22", "quality": "1"})
    titles = [h["title"] for h in resp.json()["hits"]]
    assert titles == ["二次函数的图像与性质（一）"]
    resp = api.get(URL, {"q": "光学", "stage": "junior", "sort": "newest"})
    dates = [h["year"] for h in resp.json()["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert resp.json()["total"] >= 3

    # Hostile input: as long as allowed, syntax characters, quotes, FTS
    # operators (longer queries: tests/security/test_api_schemathesis.py).
    for q in [
        "函数" * 100,
        "\"*()^:~-+!{}[]/\\ AND OR NOT NEAR( '; DROP TABLE",
        "((((((",
        "\x00\x01",
        "y=ax²",
    ]:
        resp = api.get(URL, {"q": q})
        assert resp.status_code == 200, q
        assert isinstance(resp.json()["hits"], list)

    resp = api.get(URL + "suggest/", {"q": "勾股"})
    assert resp.status_code == 200
    texts = [s["text"] for s in resp.json()]
    assert "勾股定理" in texts
    assert any(t.startswith("勾股定理的") for t in texts)


@pytest.mark.parametrize(
    "params, param",
    [
        ({"stage": "nowhere"}, "stage"),
        ({"subject": "alchemy"}, "subject"),
        ({"type": "video"}, "type"),
        ({"quality": "yes"}, "quality"),
        ({"year": "last"}, "year"),
        ({"year": "1900"}, "year"),
        ({"sort": "random"}, "sort"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"knowledge_point": "NOPE"}, "knowledge_point"),
    ],
)
def test_bad_parameters_answer_400_with_reason(client, taxonomy, params, param):
    resp = client.get(URL, params)
    assert resp.status_code == 400
    body = resp.json()
    assert body["param"] == param
    # One sentence in the site's default language (zh-hans), no English pair.
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])
    assert " / " not in body["detail"]
    assert body["detail"].endswith("。")


def test_openapi_describes_the_endpoint(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/lessons/" in spec["paths"]
    params = {p["name"] for p in spec["paths"]["/api/v1/lessons/"]["get"]["parameters"]}
    assert {"q", "stage", "knowledge_point", "sort", "page"} <= params
