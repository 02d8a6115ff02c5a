"""View counts: a cache counter per view, flushed to the database in batches."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import CatalogEntryPage
from portal import viewcounts
from tests.fixtures_site import make_lessons, make_video

pytestmark = pytest.mark.django_db


def _writes(queries):
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]


def test_a_view_writes_nothing_to_the_database(client, taxonomy, clean_cache):
    page = make_lessons(1)[0]
    client.get(page.url)  # warm up (site root paths, sessions…)
    with CaptureQueriesContext(connection) as ctx:
        # Three more visitors (a view counts once per visitor and window).
        for i in range(3):
            assert client.get(page.url, REMOTE_ADDR=f"10.0.0.{i}").status_code == 200
    assert _writes(ctx.captured_queries) == []
    assert viewcounts.pending_views([page.pk]) == {page.pk: 4}
    assert CatalogEntryPage.objects.get(pk=page.pk).view_count == 0


def test_flush_adds_deltas_and_keeps_views_counted_meanwhile(taxonomy, clean_cache):
    a, b = make_lessons(2)
    CatalogEntryPage.objects.filter(pk=a.pk).update(view_count=10)
    for _ in range(5):
        viewcounts.record_view(a.pk)
    viewcounts.record_view(b.pk)

    assert viewcounts.flush_view_counts() == 6
    assert CatalogEntryPage.objects.get(pk=a.pk).view_count == 15
    assert CatalogEntryPage.objects.get(pk=b.pk).view_count == 1
    assert viewcounts.pending_views([a.pk, b.pk]) == {}

    # A second flush with nothing pending changes nothing.
    assert viewcounts.flush_view_counts() == 0
    assert CatalogEntryPage.objects.get(pk=a.pk).view_count == 15


def test_flush_takes_off_only_what_it_read(taxonomy, clean_cache, monkeypatch):
    page = make_lessons(1)[0]
    for _ in range(3):
        viewcounts.record_view(page.pk)
    real_pending = viewcounts.pending_views

    def pending_then_a_view_arrives(ids):
        found = real_pending(ids)
        viewcounts.record_view(page.pk)  # a request lands during the flush
        return found

    monkeypatch.setattr(viewcounts, "pending_views", pending_then_a_view_arrives)
    assert viewcounts.flush_view_counts() == 3
    monkeypatch.undo()
    assert viewcounts.pending_views([page.pk]) == {page.pk: 1}
    assert CatalogEntryPage.objects.get(pk=page.pk).view_count == 3


def test_command_and_task_flush(taxonomy, clean_cache, capsys):
    from portal.tasks import flush_view_counts_task

    page = make_lessons(1)[0]
    viewcounts.record_view(page.pk)
    call_command("flush_view_counts")
    assert "flushed 1 views" in capsys.readouterr().out
    viewcounts.record_view(page.pk)
    result = flush_view_counts_task.enqueue()
    assert result.return_value == 1
    assert CatalogEntryPage.objects.get(pk=page.pk).view_count == 2


def test_lesson_page_shows_flushed_plus_pending_views(client, taxonomy, clean_cache):
    page = make_lessons(1)[0]
    CatalogEntryPage.objects.filter(pk=page.pk).update(view_count=7)
    html = client.get(page.url).content.decode()
    # 7 flushed + this view (counted before the page renders).
    assert "8 次" in html


def test_most_viewed_sort_uses_view_counts(client, kp_tree, clean_cache):
    low, high = make_lessons(2, knowledge_points=[kp_tree["graph"]])
    for _ in range(3):
        viewcounts.record_view(high.pk)
    viewcounts.flush_view_counts()
    html = client.get(f"/browse/kp/{kp_tree['graph'].pk}/?sort=views").content.decode()
    assert html.index(high.title) < html.index(low.title)
    newest = client.get(f"/browse/kp/{kp_tree['graph'].pk}/?sort=newest")
    assert newest.status_code == 200


@pytest.mark.redis
def test_counters_work_on_redis(redis_cache, taxonomy):
    page = make_lessons(1)[0]
    for _ in range(4):
        viewcounts.record_view(page.pk)
    assert redis_cache.get(f"{viewcounts.COUNTER_PREFIX}{page.pk}") == 4
    assert viewcounts.flush_view_counts() == 4
    assert CatalogEntryPage.objects.get(pk=page.pk).view_count == 4


def test_anonymous_page_cache_still_counts_views_and_is_invalidated(
    client, taxonomy, clean_cache, settings, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    settings.WEIKE_PAGE_CACHE_SECONDS = 60
    page = make_lessons(1, title="缓存课", video=make_video())[0]
    first = client.get(page.url)
    second = client.get(page.url, REMOTE_ADDR="10.0.0.2")  # another visitor
    assert "X-Weike-Cache" not in first and second["X-Weike-Cache"] == "hit"
    assert second.content == first.content
    assert viewcounts.pending_views([page.pk]) == {page.pk: 2}

    # Publishing anything makes every cached page stale (once committed).
    page.title = "缓存课（修订）"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    third = client.get(page.url)
    assert "X-Weike-Cache" not in third
    assert "缓存课（修订）" in third.content.decode()

    # The browse pages are cached the same way; logged-in users never are.
    client.get("/browse/")
    assert client.get("/browse/")["X-Weike-Cache"] == "hit"
    client.force_login(UserFactory())
    assert "X-Weike-Cache" not in client.get(page.url)
    assert "X-Weike-Cache" not in client.get("/browse/")
