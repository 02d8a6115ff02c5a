"""Faults against the real search engine (the session's OpenSearch node),
reached through tests/fault_proxy.py so that this test alone sees it down.

Search down while a lesson is saved and published: the saves stand, the
entries are marked pending (search.models.PendingIndexUpdate), and the
scheduled reconcile (a no-op while the engine is still down) brings the
index back to the database once the engine answers again.
"""

from __future__ import annotations

import uuid

import pytest
from modelsearch.backends import get_search_backend

from catalog.models import CatalogEntryPage, LessonPage
from search.models import PendingIndexUpdate
from search.tasks import reconcile_search_index_task
from tests.fault_proxy import FaultProxy
from tests.fixtures_alliance import publish

pytestmark = [pytest.mark.django_db, pytest.mark.opensearch]


@pytest.fixture
def engine_behind_proxy(settings, opensearch_url):
    """An auto-updated OpenSearch backend ("engine") behind a fault proxy."""
    from search.services import rebuild_index

    proxy = FaultProxy(opensearch_url)
    settings.WAGTAILSEARCH_BACKENDS = {
        **settings.WAGTAILSEARCH_BACKENDS,
        "engine": {
            "BACKEND": "search.backends.opensearch2",
            "URLS": [proxy.url],
            "INDEX_PREFIX": f"test_{uuid.uuid4().hex[:8]}_",
            "TIMEOUT": 2,
        },
    }
    rebuild_index("engine")
    backend = get_search_backend("engine")
    yield proxy, backend
    proxy.set(None)
    indices = list(backend.es.indices.get(index=backend.index_prefix + "*"))
    if indices:
        backend.es.indices.delete(index=",".join(indices))
    proxy.close()


def _indexed_count(backend) -> int:
    index = backend.get_index_for_model(CatalogEntryPage)
    index.refresh()
    content_type = backend.mapping_class(CatalogEntryPage).get_content_type()
    query = {"query": {"term": {"_django_content_type": content_type}}}
    return backend.es.count(index=index.name, body=query)["count"]


def _summary_in_index(backend, page) -> str:
    index = backend.get_index_for_model(CatalogEntryPage)
    source = backend.es.get(index=index.name, id=str(page.pk))["_source"]
    return " ".join(v for k, v in source.items() if k.endswith("summary"))


def test_search_down_during_save_and_publish_then_reconcile(
    engine_behind_proxy,
    alliance_users,
    make_draft,
    django_capture_on_commit_callbacks,
):
    proxy, backend = engine_behind_proxy
    editor = alliance_users["math_editor"]
    with django_capture_on_commit_callbacks(execute=True):
        old = publish(make_draft(alliance_users["teacher_a"]), editor)
    assert _indexed_count(backend) == 1

    proxy.set("drop")  # the engine is gone: connections closed unanswered
    with django_capture_on_commit_callbacks(execute=True):
        old.summary = "勾股定理的三种证明"
        publish(old, editor)
        new = publish(make_draft(alliance_users["teacher_a"]), editor)
    assert any(fault == "drop" for _m, _p, fault in proxy.seen)

    # The saves stood; both entries wait for the engine.
    assert LessonPage.objects.get(pk=old.pk).summary == "勾股定理的三种证明"
    assert LessonPage.objects.get(pk=new.pk).live
    assert set(PendingIndexUpdate.objects.values_list("page_id", flat=True)) == {
        old.pk,
        new.pk,
    }

    # The scheduled job while the engine is still down: nothing lost.
    assert reconcile_search_index_task.call()["engine"] == -1
    assert PendingIndexUpdate.objects.count() == 2

    proxy.set(None)
    assert _indexed_count(backend) == 1  # the new lesson is not there yet
    assert reconcile_search_index_task.call()["engine"] >= 2
    live = CatalogEntryPage.objects.live().count()
    assert _indexed_count(backend) == live == 2
    assert "勾股定理" in _summary_in_index(backend, old)
    assert not PendingIndexUpdate.objects.exists()
