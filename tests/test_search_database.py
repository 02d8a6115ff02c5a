"""The database backend's catalog search (search/db_match.py): one full-text
match per search, whatever the number of matches, and the sorts and pages the
engine gives."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import CatalogEntryPage
from search.selectors import search_lessons


def _fts_statements(queries) -> list[str]:
    marker = "MATCH" if connection.vendor == "sqlite" else "to_tsquery"
    return [q["sql"] for q in queries if marker in q["sql"]]


def test_one_full_text_match_per_search(demo, database_index):
    """Total, hits, ordering and all nine facets come from a single full-text
    statement: modelsearch's path repeated the match for the count, each facet
    and, per candidate row, for the score."""
    with CaptureQueriesContext(connection) as ctx:
        result = search_lessons({"q": "函数", "stage": "junior", "sort": "relevance"})
    assert result.total >= 3
    assert sum(f["count"] for f in result.facets["subject"]) == result.total
    assert len(_fts_statements(ctx.captured_queries)) == 1

    # No entry has both words: the strict pass finds nothing, the relaxed
    # (any word) pass runs once more.
    with CaptureQueriesContext(connection) as ctx:
        result = search_lessons({"q": "勾股定理 光合作用"})
    assert result.relaxed and result.total > 0
    assert len(_fts_statements(ctx.captured_queries)) == 2


def test_sort_by_views_and_stable_pages(demo, database_index):
    matched = search_lessons({"q": "函数"}).total
    assert matched >= 3
    ids = [h["id"] for h in search_lessons({"q": "函数"}).hits]
    # View counts change without re-indexing (flushed by queryset updates); the
    # database search reads them live.
    for rank, pk in enumerate(ids):
        CatalogEntryPage.objects.filter(pk=pk).update(view_count=10 * rank + 1)
    by_views = search_lessons({"q": "函数", "sort": "views"}).hits
    assert [h["id"] for h in by_views] == list(reversed(ids))

    everything = search_lessons({"sort": "newest"})
    assert everything.total > 20  # more than one page of demo entries
    first = [h["id"] for h in everything.hits]
    second = [h["id"] for h in search_lessons({"sort": "newest", "page": "2"}).hits]
    assert second and not set(first) & set(second)
    published = dict(
        CatalogEntryPage.objects.filter(pk__in=first + second).values_list(
            "pk", "first_published_at"
        )
    )
    stamps = [published[pk] for pk in first + second]
    assert stamps == sorted(stamps, reverse=True)
