"""Index upkeep: off the request path, a dead engine never fails a save, and
reconcile finds and fixes missing or stale documents."""

import pytest
from django.core.management import call_command

from catalog.models import CatalogEntryPage
from search.selectors import search_lessons


def _titles(q, backend="default"):
    return [h["title"] for h in search_lessons({"q": q}, backend=backend).hits]


def test_dead_engine_never_fails_a_save(demo, dead_engine, caplog):
    page = CatalogEntryPage.objects.get(title="通分").specific
    page.title = "通分与约分"
    page.save_revision().publish()  # indexing runs (immediately in tests)
    page.refresh_from_db()
    assert page.title == "通分与约分"
    assert "dead" in caplog.text


def test_reconcile_database_finds_missing_and_stale(demo, database_index):
    from modelsearch.conf import get_app_config

    IndexEntry = get_app_config().get_model("IndexEntry")

    entry = CatalogEntryPage.objects.get(title="阿基米德原理")
    IndexEntry.objects.filter(object_id=str(entry.pk)).delete()
    stale = CatalogEntryPage.objects.get(title="浮力产生的原因")
    # A queryset update bypasses signals: the index still has the old title.
    CatalogEntryPage.objects.filter(pk=stale.pk).update(title="浮力产生的原因与计算")
    assert "阿基米德原理" not in _titles("阿基米德")
    assert "浮力产生的原因与计算" not in [t for t in _titles("计算")]

    call_command("reconcile_search_index", "--dry-run")
    from search.services import reconcile

    report = reconcile("default", fix=True)
    assert report.missing == [entry.pk]
    assert report.stale == [stale.pk]
    assert "阿基米德原理" in _titles("阿基米德")
    assert "浮力产生的原因与计算" in _titles("计算")
    assert reconcile("default", fix=False).fixed == 0


def test_reconcile_engine_and_alias_rebuild(demo, engine_backend):
    from modelsearch.backends import get_search_backend

    from search.services import rebuild_index, reconcile

    backend = get_search_backend(engine_backend)
    index = backend.get_index_for_model(CatalogEntryPage)
    # The rebuild swapped an alias onto a fresh index (zero-downtime rebuilds).
    assert index.is_alias()
    first = index.aliased_indices()
    rebuild_index(engine_backend)
    assert index.is_alias() and index.aliased_indices() != first

    entry = CatalogEntryPage.objects.get(title="阿基米德原理")
    backend.es.delete(index=index.name, id=str(entry.pk), refresh=True)
    stale = CatalogEntryPage.objects.get(title="浮力产生的原因")
    CatalogEntryPage.objects.filter(pk=stale.pk).update(title="浮力产生的原因与计算")
    assert "阿基米德原理" not in _titles("阿基米德", engine_backend)

    report = reconcile(engine_backend, fix=True)
    assert report.missing == [entry.pk]
    assert report.stale == [stale.pk]
    assert "阿基米德原理" in _titles("阿基米德", engine_backend)
    assert "浮力产生的原因与计算" in _titles("计算", engine_backend)
    assert reconcile(engine_backend, fix=False).fixed == 0


def test_update_index_is_the_projects_atomic_rebuild(demo, engine_backend):
    """`manage.py update_index` is search's command (rebuild_index, one-step
    alias swap), not modelsearch's, on the engines and the database."""
    from io import StringIO

    from django.core.management import CommandError, call_command, get_commands
    from modelsearch.backends import get_search_backend

    assert get_commands()["update_index"] == "search"
    index = get_search_backend(engine_backend).get_index_for_model(CatalogEntryPage)
    first = {i.name for i in index.aliased_indices()}
    out = StringIO()
    call_command("update_index", backend_name=engine_backend, stdout=out)
    assert out.getvalue() == f"搜索索引 {engine_backend} 已重建。\n"
    now = {i.name for i in index.aliased_indices()}
    assert len(now) == 1 and now != first
    assert "阿基米德原理" in _titles("阿基米德", engine_backend)

    call_command("update_index", backend_name="default", stdout=StringIO())
    assert "阿基米德原理" in _titles("阿基米德")
    with pytest.raises(CommandError, match="没有名为 nope 的搜索后端。"):
        call_command("update_index", backend_name="nope")
