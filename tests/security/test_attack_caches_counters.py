"""Issue 11 items 6 and 7 (view counts): memory and counters grown by anonymous
requests.

- The anonymous page cache keyed on the whole URL, and /find/ echoes the query:
  300 distinct 60,000-character queries added 49 MB to the web process.
- A lesson's view count rose by one per request: 200 GETs in 0.8 s, +200
  views, which also fed "most viewed".
"""

import pytest
from django.core.cache import cache

from catalog.models import CatalogEntryPage
from portal import viewcounts
from tests.fixtures_site import make_lessons

pytestmark = pytest.mark.django_db

PAGE_PREFIX = "portal:page:"
VIEWED_PREFIX = "portal:viewed:"


@pytest.fixture
def page_cache_on(settings, clean_cache):
    settings.WEIKE_PAGE_CACHE_SECONDS = 60
    return clean_cache


def keys(prefix: str) -> list[str]:
    # LocMemCache keeps its entries in `_cache`, keyed ":<version>:<key>".
    return [k for k in cache._cache if k.split(":", 2)[-1].startswith(prefix)]


def views(page) -> int:
    viewcounts.flush_view_counts()
    return CatalogEntryPage.objects.get(pk=page.pk).view_count


# --- The anonymous page cache --------------------------------------------------


def test_long_search_queries_add_no_cache_entry(client, taxonomy, page_cache_on):
    make_lessons(1, title="勾股定理")
    client.get("/find/?q=勾股")  # warm up: catalog version, search set-up
    before = len(cache._cache)
    for i in range(50):
        response = client.get(f"/find/?q={i}{'勾股定理' * 500}")
        assert response.status_code == 200  # a page the cache would store
    assert keys(PAGE_PREFIX) == []
    assert len(cache._cache) - before < 5


@pytest.mark.parametrize(
    "query",
    [
        "q=勾股",  # search results are never cached
        "stage=junior",  # nor facet combinations
        "x=1",
        "p=1&utm_source=" + "a" * 5000,
        "p=01",  # not the canonical spelling of page 1
        "p=%EF%BC%91",  # fullwidth １, which int() would accept
        "p=1%00",
        "p=1&p=2",
        "p=99999",  # beyond the pages worth caching
        "P=1",
        "sort=VIEWS",
        "sort=views%00",
        "sort=" + "views" * 1000,
    ],
)
def test_unknown_or_unbounded_parameters_are_not_cached(
    client, taxonomy, page_cache_on, query
):
    for _ in range(2):
        response = client.get(f"/browse/?{query}")
        assert response.status_code == 200
        assert "X-Weike-Cache" not in response
    assert keys(PAGE_PREFIX) == []


def test_allow_listed_parameters_are_cached_in_one_normal_form(
    client, kp_tree, page_cache_on
):
    url = f"/browse/kp/{kp_tree['graph'].pk}/"
    assert "X-Weike-Cache" not in client.get(url)
    assert client.get(url)["X-Weike-Cache"] == "hit"
    first = client.get(f"{url}?sort=views&p=1")
    assert first.status_code == 200 and "X-Weike-Cache" not in first
    # The same parameters in another order (or encoded) are the same page.
    second = client.get(f"{url}?p=1&sort=views")
    assert second["X-Weike-Cache"] == "hit"
    assert client.get(f"{url}?%70=1&sort=%76iews")["X-Weike-Cache"] == "hit"
    assert len(keys(PAGE_PREFIX)) == 2
    # Keys stay short whatever the URL: a hash of the normal form.
    assert all(len(key) < 120 for key in keys(PAGE_PREFIX))


# --- View counts -------------------------------------------------------------------


@pytest.mark.parametrize(("cache_seconds", "gets"), [(60, 200), (0, 30)])
def test_one_anonymous_client_counts_once(
    client, taxonomy, clean_cache, settings, cache_seconds, gets
):
    # Both paths: pages served from the page cache and rendered ones.
    settings.WEIKE_PAGE_CACHE_SECONDS = cache_seconds
    page = make_lessons(1)[0]
    for _ in range(gets):
        assert client.get(page.url).status_code == 200
    assert views(page) == 1


def test_two_clients_count_twice(client, taxonomy, clean_cache):
    page = make_lessons(1)[0]
    for _ in range(5):
        client.get(page.url, REMOTE_ADDR="10.1.0.1")
        client.get(page.url, REMOTE_ADDR="10.1.0.2")
    assert views(page) == 2


def test_behind_a_trusted_proxy_visitors_are_told_apart_by_the_proxys_entry(
    client, taxonomy, clean_cache, settings
):
    # The same client address as the login lockout (portal/client_address.py):
    # nginx is REMOTE_ADDR for everyone, the entry it appends is the client;
    # what a client puts further left changes nothing.
    settings.WEIKE_TRUSTED_PROXY_COUNT = 1
    page = make_lessons(1)[0]
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        for client_address in ("10.3.0.1", "10.3.0.2"):
            client.get(
                page.url,
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR=f"{forged}, {client_address}",
            )
    assert views(page) == 2


def test_same_address_other_browser_is_another_visitor(client, taxonomy, clean_cache):
    # A school behind one NAT address: different browsers are different visitors.
    page = make_lessons(1)[0]
    for _ in range(3):
        client.get(page.url, HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0)")
        client.get(page.url, HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
    assert views(page) == 2


def test_a_logged_in_user_counts_once_from_any_address(client, taxonomy, clean_cache):
    from tests.factories import UserFactory

    page = make_lessons(1)[0]
    client.force_login(UserFactory())
    for i in range(5):
        client.get(page.url, REMOTE_ADDR=f"10.2.0.{i}", HTTP_USER_AGENT=f"UA {i}")
    assert views(page) == 1


def test_each_lesson_counts_separately(client, taxonomy, clean_cache):
    a, b = make_lessons(2)
    for _ in range(3):
        client.get(a.url)
        client.get(b.url)
    assert (views(a), views(b)) == (1, 1)


def test_the_same_visitor_counts_again_after_the_window(
    client, taxonomy, clean_cache, settings, monkeypatch
):
    import time

    from django.core.cache.backends import locmem

    settings.WEIKE_VIEW_COUNT_WINDOW_SECONDS = 600
    page = make_lessons(1)[0]
    client.get(page.url)
    client.get(page.url)
    later = time.time() + 601
    monkeypatch.setattr(locmem.time, "time", lambda: later)
    client.get(page.url)
    client.get(page.url)
    assert views(page) == 2


def test_window_zero_counts_every_request(client, taxonomy, clean_cache, settings):
    settings.WEIKE_VIEW_COUNT_WINDOW_SECONDS = 0
    page = make_lessons(1)[0]
    for _ in range(3):
        client.get(page.url)
    assert views(page) == 3


def test_visitor_keys_stay_short_whatever_the_user_agent(client, taxonomy, clean_cache):
    page = make_lessons(1)[0]
    for i in range(3):
        client.get(page.url, HTTP_USER_AGENT=f"{i}" + "x" * 20_000)
    assert len(keys(VIEWED_PREFIX)) == 3
    assert all(len(key) < 100 for key in keys(VIEWED_PREFIX))
    assert views(page) == 3


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
        "Mozilla/5.0 (compatible; Bytespider; spider-feedback@bytedance.com)",
    ],
)
def test_crawlers_do_not_count(client, taxonomy, clean_cache, agent):
    page = make_lessons(1)[0]
    assert client.get(page.url, HTTP_USER_AGENT=agent).status_code == 200
    assert views(page) == 0
