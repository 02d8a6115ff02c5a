"""Index maintenance: rebuilds and the reconcile pass (see docs/search.md)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings
from modelsearch.backends import get_search_backend
from modelsearch.backends.elasticsearchbase import ElasticsearchBaseSearchBackend
from modelsearch.index import get_indexed_instance, get_indexed_models
from modelsearch.management.commands.rebuild_modelsearch_index import (
    Command as ModelsearchRebuild,
)
from modelsearch.management.commands.rebuild_modelsearch_index import (
    group_models_by_index,
)

from catalog.models import CatalogEntryPage

from . import pending

logger = logging.getLogger(__name__)


class RebuildFailed(Exception):
    """A rebuild stopped part-way; its half-built index was dropped and the
    alias still serves the previous index."""


def rebuild_index(backend_name: str = "default", chunk_size: int = 500) -> None:
    """Full rebuild. On Elasticsearch/OpenSearch a new index is built while
    searches keep using the old one behind the alias, which moves when the new
    one is complete (modelsearch's atomic rebuilder). The engine client gets
    SEARCH_BULK_TIMEOUT: a bulk request on a loaded machine outlasts the few
    seconds a search may take. A failure drops the half-built index."""
    backend = get_search_backend(backend_name)
    if not isinstance(backend, ElasticsearchBaseSearchBackend):
        # modelsearch's own command: `update_index` is ours (it calls this).
        call_command(
            ModelsearchRebuild(),
            backend_name=backend_name,
            chunk_size=chunk_size,
            verbosity=0,
        )
        return
    bulk = get_search_backend(backend_name, TIMEOUT=settings.SEARCH_BULK_TIMEOUT)
    for alias, models in group_models_by_index(bulk, get_indexed_models()).items():
        rebuilder = bulk.atomic_rebuilder_class(alias)
        index = rebuilder.start()
        try:
            for model in models:
                index.add_model(model)
                for chunk in _chunks(model.get_indexed_objects(), chunk_size):
                    index.add_items(model, chunk)
            _finish(rebuilder)
        except Exception as error:  # noqa: BLE001 - any engine/transport/data error
            logger.exception("search rebuild of %s failed", alias.name)
            _drop_unaliased(index, alias)
            raise RebuildFailed(f"rebuild of {alias.name} failed: {error}") from error
        index.refresh()


@contextmanager
def index_updates_deferred() -> Iterator[None]:
    """For bulk loads (the demo): saves inside skip their per-object index
    update, and every auto-updated backend is rebuilt once at the end. A
    lesson is saved, revised and published several times while it is seeded,
    and each save would otherwise re-segment and re-index it."""
    backends = settings.WAGTAILSEARCH_BACKENDS
    paused = {name: {**conf, "AUTO_UPDATE": False} for name, conf in backends.items()}
    with override_settings(WAGTAILSEARCH_BACKENDS=paused):
        yield
    for name, conf in backends.items():
        if conf.get("AUTO_UPDATE", True):
            rebuild_index(name)


def _chunks(queryset, size: int):
    """`queryset` in pk order, `size` rows at a time (keyset paging)."""
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        chunk = list(page[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def _finish(rebuilder) -> None:
    """Point the alias at the new index in one step. modelsearch's finish()
    adds the new index to the alias and only then deletes the old one: in
    between, searches read both and find every lesson twice (seen by
    tests/test_search_failures.py searching during a rebuild). One _aliases
    request that adds and removes together is atomic on both engines."""
    index, alias = rebuilder.index, rebuilder.alias
    if not alias.is_alias():
        rebuilder.finish()  # the first build: no searches served before it
        return
    index.refresh()
    old = [i.name for i in alias.aliased_indices() if i.name != index.name]
    actions = [{"add": {"index": index.name, "alias": alias.name}}]
    actions += [{"remove": {"index": name, "alias": alias.name}} for name in old]
    index.es.indices.update_aliases(body={"actions": actions})
    for name in old:
        index.es.indices.delete(index=name)


def _drop_unaliased(index, alias) -> None:
    """Delete the half-built `index` unless the alias already points at it."""
    if index.name in {i.name for i in alias.aliased_indices()}:
        return
    index.delete()


def sync_view_counts(page_ids) -> None:
    """Copy the current view counts of `page_ids` into every engine index.

    View counts are flushed with queryset updates, which modelsearch does not
    see; a partial update of that one field keeps "most viewed" right on the
    engine without re-indexing the entries. Engine errors are logged, never
    raised: the counts are safe in the database and `reconcile_search_index`
    repairs documents that stayed behind.
    """
    from modelsearch.backends import get_search_backends_with_name

    from .engine_query import engine_columns

    page_ids = list(page_ids)
    if not page_ids:
        return
    counts = dict(
        CatalogEntryPage.objects.filter(pk__in=page_ids).values_list("pk", "view_count")
    )
    for name, backend in get_search_backends_with_name(with_auto_update=True):
        if not isinstance(backend, ElasticsearchBaseSearchBackend):
            continue  # the database search reads view_count from the table
        index = backend.get_index_for_model(CatalogEntryPage)
        column = engine_columns(backend)["views"]
        actions = []
        for pk, views in counts.items():
            actions.append({"update": {"_index": index.name, "_id": str(pk)}})
            actions.append({"doc": {column: views}})
        try:
            response = backend.es.bulk(body=actions)
        except Exception:  # noqa: BLE001 - any engine/transport error
            logger.exception("view counts not sent to search backend %s", name)
            continue
        if response.get("errors"):
            # e.g. an entry not indexed yet: reconcile adds it with its count.
            logger.warning("search backend %s: some view counts not updated", name)


@dataclass
class ReconcileReport:
    checked: int = 0
    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)

    @property
    def fixed(self) -> int:
        return (
            len(self.missing) + len(self.stale) + len(self.orphans) + len(self.pending)
        )


def _entries():
    return CatalogEntryPage.objects.live().order_by("pk")


def reconcile(backend_name: str = "default", fix: bool = True) -> ReconcileReport:
    """Find catalog entries missing from or stale in the index (and index
    documents whose entry is gone) and, with `fix`, repair them."""
    backend = get_search_backend(backend_name)
    engine = isinstance(backend, ElasticsearchBaseSearchBackend)
    pending_ids = pending.pending_ids(backend) if engine else []
    if fix and pending_ids:
        # First what is known to have failed to reach the engine (the scan
        # below then finds what failed unmarked, e.g. with the database down).
        _repair_pending(backend, pending_ids)
    if engine:
        report = _reconcile_engine(backend)
    else:
        report = _reconcile_database(backend)
    report.pending = pending_ids
    if fix:
        for pk in report.missing + report.stale:
            entry = CatalogEntryPage.objects.get(pk=pk)
            backend.add(get_indexed_instance(entry.specific))
        if report.orphans and isinstance(backend, ElasticsearchBaseSearchBackend):
            index = backend.get_index_for_model(CatalogEntryPage)
            for doc_id in report.orphans:
                backend.es.delete(index=index.name, id=doc_id, ignore=[404])
        elif report.orphans:
            from modelsearch.conf import get_app_config

            IndexEntry = get_app_config().get_model("IndexEntry")

            IndexEntry.objects.filter(pk__in=report.orphans).delete()
        if isinstance(backend, ElasticsearchBaseSearchBackend):
            backend.get_index_for_model(CatalogEntryPage).refresh()
    if report.fixed:
        logger.warning(
            "search index %s: %d pending, %d missing, %d stale, %d orphaned",
            backend_name,
            len(report.pending),
            len(report.missing),
            len(report.stale),
            len(report.orphans),
        )
    return report


def _repair_pending(backend, page_ids: list[int]) -> None:
    """Re-index the pending live entries (which clears their marks) and
    remove the documents of the others (unpublished or deleted meanwhile)."""
    live = {e.pk: e for e in _entries().filter(pk__in=page_ids)}
    index = backend.get_index_for_model(CatalogEntryPage)
    for pk in page_ids:
        if pk in live:
            backend.add(get_indexed_instance(live[pk].specific))
        else:
            backend.es.delete(index=index.name, id=str(pk), ignore=[404])
    pending.forget(backend, [pk for pk in page_ids if pk not in live])


def _reconcile_engine(backend) -> ReconcileReport:
    report = ReconcileReport()
    index = backend.get_index_for_model(CatalogEntryPage)
    live = set()
    for chunk in _chunks(_entries(), 500):
        specific = [e.specific for e in chunk]
        docs = backend.es.mget(
            index=index.name, body={"ids": [str(e.pk) for e in chunk]}
        )["docs"]
        for entry, doc in zip(specific, docs, strict=True):
            live.add(str(entry.pk))
            report.checked += 1
            if not doc.get("found"):
                report.missing.append(entry.pk)
                continue
            expected = backend.mapping_class(type(entry)).get_document(entry)
            source = doc["_source"]
            # Compare what search and facets read: the title and the
            # catalog fields (dates and edge n-grams differ only in form).
            keys = [k for k in expected if k == "title" or k.startswith("catalog_")]
            if any(source.get(k) != _jsonable(expected[k]) for k in keys):
                report.stale.append(entry.pk)
    mapping = backend.mapping_class(CatalogEntryPage)
    query = {"term": {"_django_content_type": mapping.get_content_type()}}
    report.orphans = [
        doc_id
        for doc_id in _all_document_ids(backend, index.name, query)
        if doc_id not in live
    ]
    return report


def _all_document_ids(backend, index_name: str, query: dict):
    """Every matching document id (a scroll: one search stops at 10,000)."""
    page = backend.es.search(
        index=index_name,
        body={"query": query, "_source": False, "size": 2000},
        scroll="2m",
    )
    scroll_id = page.get("_scroll_id")
    try:
        while page["hits"]["hits"]:
            yield from (hit["_id"] for hit in page["hits"]["hits"])
            page = backend.es.scroll(scroll_id=scroll_id, scroll="2m")
            scroll_id = page.get("_scroll_id", scroll_id)
    finally:
        if scroll_id:
            backend.es.clear_scroll(scroll_id=scroll_id)


def _jsonable(value):
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _reconcile_database(backend) -> ReconcileReport:
    from django.contrib.contenttypes.models import ContentType
    from modelsearch.conf import get_app_config

    IndexEntry = get_app_config().get_model("IndexEntry")  # noqa: N806
    report = ReconcileReport()
    live = set()
    for chunk in _chunks(_entries(), 500):
        specific = [e.specific for e in chunk]
        by_key = {}
        for entry in specific:
            ct = ContentType.objects.get_for_model(type(entry))
            by_key[(ct.pk, str(entry.pk))] = entry
        rows = IndexEntry.objects.filter(
            object_id__in=[str(e.pk) for e in specific]
        ).values("pk", "content_type_id", "object_id", "title", "body")
        found = {(r["content_type_id"], r["object_id"]): r for r in rows}
        for key, entry in by_key.items():
            live.add(key)
            report.checked += 1
            row = found.get(key)
            if row is None:
                report.missing.append(entry.pk)
                continue
            title, body = _database_texts(backend, entry)
            if _database_row_differs(backend, row, title, body):
                report.stale.append(entry.pk)
    return report


def _database_row_differs(backend, row, title: str, body: str) -> bool:
    from django.db import connection

    if connection.vendor != "postgresql":
        # SQLite keeps the indexed texts as they were given.
        return _norm(row["title"]) != _norm(title) or _norm(row["body"]) != _norm(body)
    # PostgreSQL keeps tsvectors: compare their words (weights aside).
    from modelsearch.conf import get_app_config

    table = get_app_config().get_model("IndexEntry")._meta.db_table
    config = backend.config or "simple"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tsvector_to_array(title) = tsvector_to_array(to_tsvector(%s, %s))"
            " AND tsvector_to_array(body) = tsvector_to_array(to_tsvector(%s, %s))"
            f" FROM {table} WHERE id = %s",
            [config, title, config, body, row["pk"]],
        )
        same = cursor.fetchone()[0]
    return not same


def _norm(text) -> str:
    return " ".join(str(text or "").split())


def _database_texts(backend, entry) -> tuple[str, str]:
    """The title/body texts the database backend would store for `entry`."""
    from modelsearch.index import SearchField

    title, body = [], []
    for search_field in type(entry).get_search_fields():
        if isinstance(search_field, SearchField):
            value = search_field.get_value(entry)
            value = "" if value is None else str(value)
            (title if search_field.field_name == "title" else body).append(value)
    return " ".join(title), " ".join(body)


def _chunks(queryset, size):
    batch = []
    for obj in queryset.iterator(chunk_size=size):
        batch.append(obj)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
