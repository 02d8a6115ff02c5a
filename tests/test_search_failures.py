"""A search engine that is down, slow or missing its alias never turns a search
into Django's HTML error page: the API answers a JSON 503 with a reason in the
visitor's language, the site its own search page with status 503. Rebuilds run
with a timeout fit for bulk work and, when they fail, drop the half-built index
and leave the old alias live."""

import json
import socket
import threading
import time
import urllib.request

import pytest
from modelsearch.backends import get_search_backend

from catalog.models import CatalogEntryPage
from search import services
from search.selectors import search_lessons
from search.services import rebuild_index

URL = "/api/v1/lessons/"


@pytest.fixture
def silent_server():
    """A real TCP server that accepts connections and never answers: an engine
    too slow to reply within the search timeout."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            accepted.append(conn)  # held open, never answered

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def _use_as_default(settings, config):
    settings.WAGTAILSEARCH_BACKENDS = {
        **settings.WAGTAILSEARCH_BACKENDS,
        "default": {**config, "AUTO_UPDATE": False},
    }


def _assert_json_503(client, **headers):
    resp = client.get(URL, {"q": "函数"}, **headers)
    assert resp.status_code == 503
    assert resp["Content-Type"].startswith("application/json")
    return resp.json()["detail"]


def test_engine_down_answers_json_503_in_the_visitors_language(
    client, demo, dead_engine, settings
):
    _use_as_default(settings, settings.WAGTAILSEARCH_BACKENDS[dead_engine])
    detail = _assert_json_503(client)
    assert detail == "搜索服务暂时不可用，请稍后再试。"
    detail = _assert_json_503(client, HTTP_ACCEPT_LANGUAGE="en")
    assert detail == "Search is unavailable at the moment, please try again later."


def test_slow_engine_answers_503_within_the_search_timeout(
    client, demo, silent_server, settings
):
    _use_as_default(
        settings,
        {
            "BACKEND": "search.backends.opensearch2",
            "URLS": [silent_server],
            "TIMEOUT": 1,
        },
    )
    started = time.monotonic()
    assert _assert_json_503(client) == "搜索服务暂时不可用，请稍后再试。"
    assert time.monotonic() - started < 10


def test_missing_alias_answers_503(client, demo, engine_backend, settings):
    backend = get_search_backend(engine_backend)
    alias = backend.get_index_for_model(CatalogEntryPage)
    for index in alias.aliased_indices():
        index.delete()  # the alias goes with its index
    _use_as_default(settings, settings.WAGTAILSEARCH_BACKENDS[engine_backend])
    assert _assert_json_503(client) == "搜索服务暂时不可用，请稍后再试。"


def test_site_search_page_says_so_with_status_503(client, demo, dead_engine, settings):
    _use_as_default(settings, settings.WAGTAILSEARCH_BACKENDS[dead_engine])
    resp = client.get("/find/", {"q": "二次函数"})
    assert resp.status_code == 503
    html = resp.content.decode()
    assert "搜索服务暂时不可用，请稍后再试。" in html
    # What the visitor typed is still in the search box.
    assert 'value="二次函数"' in html


def _indices(backend):
    return set(backend.es.indices.get(index=backend.index_prefix + "*"))


def test_rebuild_uses_the_bulk_timeout(demo, engine_backend, settings):
    """A search timeout too short for bulk work does not fail the rebuild."""
    config = settings.WAGTAILSEARCH_BACKENDS[engine_backend]
    settings.WAGTAILSEARCH_BACKENDS = {
        **settings.WAGTAILSEARCH_BACKENDS,
        engine_backend: {**config, "TIMEOUT": 0.001},
    }
    settings.SEARCH_BULK_TIMEOUT = 120
    rebuild_index(engine_backend)
    settings.WAGTAILSEARCH_BACKENDS = {
        **settings.WAGTAILSEARCH_BACKENDS,
        engine_backend: config,
    }
    titles = [
        hit["title"]
        for hit in search_lessons({"q": "勾股定理"}, backend=engine_backend).hits
    ]
    assert "勾股定理的证明：赵爽弦图" in titles


@pytest.fixture
def write_blocked_rebuilds(settings, engine_backend):
    """An index template on the real engine that blocks writes to every index
    a rebuild creates for the lessons alias: the rebuild's index and mapping
    are made, then its first bulk request is refused by the engine."""
    backend = get_search_backend(engine_backend)
    alias = backend.get_index_for_model(CatalogEntryPage)
    url = settings.WAGTAILSEARCH_BACKENDS[engine_backend]["URLS"][0].rstrip("/")
    template = f"{url}/_index_template/{alias.name}_blocked"
    body = {
        "index_patterns": [f"{alias.name}_*"],
        "priority": 500,
        "template": {"settings": {"index.blocks.write": True}},
    }
    _engine_request("PUT", template, body)
    yield backend, alias
    _engine_request("DELETE", template)


def _engine_request(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def test_failed_rebuild_drops_its_index_and_keeps_the_old_alias(
    demo, write_blocked_rebuilds, engine_backend
):
    backend, alias = write_blocked_rebuilds
    live = {index.name for index in alias.aliased_indices()}
    before = _indices(backend)
    with pytest.raises(services.RebuildFailed):
        rebuild_index(engine_backend)
    assert _indices(backend) == before
    assert {index.name for index in alias.aliased_indices()} == live
    assert search_lessons({"q": "勾股定理"}, backend=engine_backend).total >= 2


def test_searches_while_the_index_is_rebuilt_never_fail(demo, engine_backend, settings):
    """Teachers keep searching during a rebuild: the alias points at the old,
    complete index until the new one is filled, then moves in one step, so
    every search in between finds every lesson (never an error, never a
    half-filled index)."""
    backend = get_search_backend(engine_backend)
    alias = backend.get_index_for_model(CatalogEntryPage)
    url = settings.WAGTAILSEARCH_BACKENDS[engine_backend]["URLS"][0].rstrip("/")
    count_url = f"{url}/{alias.name}/_count"

    def count() -> int:
        with urllib.request.urlopen(count_url, timeout=30) as response:
            return json.load(response)["count"]

    # The index holds the lessons (and the other pages sharing its alias).
    expected = count()
    assert expected >= CatalogEntryPage.objects.live().count() > 0
    live_before = {index.name for index in alias.aliased_indices()}
    seen, errors, done = [], [], threading.Event()

    def search_all_the_time():
        while not done.is_set():
            try:
                seen.append(count())
            except Exception as exc:  # noqa: BLE001 - collected and reported
                errors.append(repr(exc))

    searcher = threading.Thread(target=search_all_the_time)
    searcher.start()
    try:
        rebuild_index(engine_backend)
    finally:
        done.set()
        searcher.join()
    assert errors == []
    assert len(seen) >= 3, "no search overlapped the rebuild"
    assert set(seen) == {expected}
    # The rebuild did replace the index the searches started on.
    assert {index.name for index in alias.aliased_indices()} != live_before
