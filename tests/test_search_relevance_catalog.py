"""The labelled relevance set (tests/relevance_queries.py, over 300 queries in
16 categories) over the relevance catalog (tests/relevance_catalog.py, about
350 lessons across 小学/初中/高中 and eleven subjects), on the database backend
and on real OpenSearch and Elasticsearch nodes: per-category recall@10, MRR
and empty-result rate against THRESHOLDS, and every query found unless it is
a listed known miss.

The catalog is loaded once for the module (inside a transaction rolled back
after the last test, like the demo fixture); each engine test rebuilds its
index from it once.

It runs in the SQLite pass of `make test` only (sqlite_pass): the engines'
results do not depend on the database the lessons came from, and the
PostgreSQL database backend runs the demo's set (tests/test_search_relevance.py)
in the other pass; loading 376 lessons twice would cost minutes of the
suite's budget."""

import time

import pytest

from search.selectors import search_lessons
from tests.relevance_catalog import LESSONS, STAGE_NAMES, SUBJECT_NAMES
from tests.relevance_queries import (
    KNOWN_MISSES,
    LABELLED,
    THRESHOLDS,
    evaluate,
    overall,
)
from tests.search_relevance_set import CATEGORIES

pytestmark = [pytest.mark.sqlite_pass]


@pytest.fixture(scope="module")
def _module_catalog(django_db_setup, django_db_blocker):
    from tests.conftest import loaded_for_module
    from tests.relevance_catalog import load_relevance_catalog

    def timed_load() -> float:
        start = time.perf_counter()
        load_relevance_catalog()  # the database index is rebuilt at its end
        return time.perf_counter() - start

    yield from loaded_for_module(django_db_blocker, timed_load)


@pytest.fixture
def relevance_catalog(_module_catalog, db):
    """The relevance catalog, published and indexed; the load's seconds."""
    return _module_catalog


def test_set_and_catalog_are_large_enough():
    queries = [query for rows in LABELLED.values() for query, _ in rows]
    assert len(queries) >= 300
    assert len(set(queries)) == len(queries), "a query is labelled twice"
    assert set(LABELLED) == set(CATEGORIES)
    assert all(len(rows) >= 12 for rows in LABELLED.values())
    assert len(LESSONS) >= 250
    assert {row[0] for row in LESSONS} == set(STAGE_NAMES)
    subjects = {row[1] for row in LESSONS}
    assert len(subjects) >= 8
    assert set(SUBJECT_NAMES) - {"politics", "science"} <= subjects
    titles = [row[4] for row in LESSONS]
    assert len(set(titles)) == len(titles), "two lessons share a title"
    unknown = {
        title
        for rows in LABELLED.values()
        for _, relevant in rows
        for title in relevant
        if title not in set(titles)
    }
    assert not unknown, f"labels naming no catalog lesson: {unknown}"
    assert set(KNOWN_MISSES) <= set(queries)
    # Every query but those of "nothing" has relevant lessons, and those don't.
    for category, rows in LABELLED.items():
        assert all(bool(relevant) == (category != "nothing") for _, relevant in rows)


def _table(figures: dict) -> str:
    lines = [f"{'category':<18}{'queries':>8}{'recall@10':>11}{'MRR':>7}{'empty':>7}"]
    for category, f in {**figures, "all": overall(figures)}.items():
        lines.append(
            f"{category:<18}{f['queries']:>8}{f['recall@10']:>11.2f}"
            f"{f['mrr']:>7.2f}{f['empty']:>7.2f}"
        )
    return "\n".join(lines)


def _check(backend: str) -> list[str]:
    figures, rows = evaluate(search_lessons, backend)
    print(f"\n{backend}\n{_table(figures)}")
    failures = []
    for category, f in figures.items():
        min_recall, min_mrr, max_empty = THRESHOLDS[category]
        if f["recall@10"] < min_recall or f["mrr"] < min_mrr:
            failures.append(f"{category}: {f} below {THRESHOLDS[category]}")
        if category != "nothing" and f["empty"] > max_empty:
            failures.append(f"{category}: empty {f['empty']:.2f} > {max_empty}")
    for row in rows:
        known = row["query"] in KNOWN_MISSES
        if not row["hit"] and not known:
            failures.append(
                f"{row['category']} {row['query']!r}: no relevant lesson in the "
                f"first ten, got {row['top']}"
            )
        elif row["hit"] and known:
            failures.append(
                f"{row['category']} {row['query']!r} is found now: take it "
                "out of KNOWN_MISSES"
            )
    if failures:
        failures.append(_table(figures))
    return failures


def test_labelled_set_database(relevance_catalog):
    failures = _check("default")
    print(f"catalog loaded in {relevance_catalog:.1f} s")
    assert not failures, "\n".join(failures)


def _agree(engine_backend: str) -> list[str]:
    """The same total and the same first page for every labelled query."""
    differ = []
    for rows in LABELLED.values():
        for query, _ in rows:
            db = search_lessons({"q": query}, backend="default")
            engine = search_lessons({"q": query}, backend=engine_backend)
            db_ids = {h["id"] for h in db.hits}
            if db.total != engine.total or db_ids != {h["id"] for h in engine.hits}:
                differ.append(
                    f"{query!r}: database {db.total} "
                    f"{[h['title'] for h in db.hits[:5]]}, {engine_backend} "
                    f"{engine.total} {[h['title'] for h in engine.hits[:5]]}"
                )
    return differ


def test_labelled_set_engine(relevance_catalog, engine_backend):
    """The set on each engine, which also agrees with the database backend
    (one index rebuild per engine for both checks)."""
    failures = _check(engine_backend) + _agree(engine_backend)
    assert not failures, "\n".join(failures)
