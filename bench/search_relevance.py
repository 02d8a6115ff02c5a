"""Relevance by category: recall@10, MRR and empty-result rate of a labelled
set on the database backend and on OpenSearch and Elasticsearch.

    .venv/bin/python bench/search_relevance.py                  # the catalog set
    .venv/bin/python bench/search_relevance.py --engines none   # database only
    .venv/bin/python bench/search_relevance.py --set demo       # the demo's 68
    .venv/bin/python bench/search_relevance.py --opensearch-url http://127.0.0.1:9200

`--set catalog` (the default): tests/relevance_queries.py, over 300 queries
over the relevance catalog (tests/relevance_catalog.py, about 350 lessons
across 小学/初中/高中), with the known misses listed after the figures.
`--set demo`: tests/search_relevance_set.py over the demo. Runs on a
throw-away database and throw-away engine nodes unless their URLs are given.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
# bench/search.py under another name: `search` is the Django app.
_spec = importlib.util.spec_from_file_location("bench_search", HERE / "search.py")
bench_search = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_search)
ENGINES = bench_search.ENGINES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weike.settings.test")


def setup(which: str):
    """A throw-away test database with the set's catalog; returns the
    function measuring the set (`measure(search, backend)` → figures)."""
    if which == "demo":
        bench_search.setup_django()
        from tests.search_relevance_set import measure

        return measure
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, keepdb=False)
    from tests.relevance_catalog import load_relevance_catalog
    from tests.relevance_queries import evaluate

    start = time.perf_counter()
    load_relevance_catalog()
    print(f"catalog loaded and indexed in {time.perf_counter() - start:.1f} s")
    return lambda search, backend: evaluate(search, backend)[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=["catalog", "demo"], default="catalog")
    parser.add_argument("--engines", default="opensearch,elasticsearch")
    parser.add_argument("--opensearch-url")
    parser.add_argument("--elasticsearch-url")
    opts = parser.parse_args()
    measure = setup(opts.set)
    from django.conf import settings

    from search.selectors import search_lessons
    from search.services import rebuild_index

    results = {}
    rebuild_index("default")
    results["database"] = measure(search_lessons, "default")
    for name in [e for e in opts.engines.split(",") if e and e != "none"]:
        module, backend_path = ENGINES[name]
        url = getattr(opts, f"{name}_url")
        node = None if url else importlib.import_module(module).start()
        try:
            settings.WAGTAILSEARCH_BACKENDS[name] = {
                "BACKEND": backend_path,
                "URLS": [url or node.url],
                "INDEX_PREFIX": f"bench_relevance_{os.getpid()}_",
                "AUTO_UPDATE": False,
            }
            rebuild_index(name)
            results[name] = measure(search_lessons, name)
        finally:
            if node:
                node.stop()
    for backend, figures in results.items():
        print(f"\n{backend}")
        print(f"{'category':<18}{'queries':>8}{'recall@10':>11}{'MRR':>7}{'empty':>7}")
        total = {"queries": 0, "recall@10": 0.0, "mrr": 0.0, "empty": 0.0}
        for category, f in figures.items():
            print(
                f"{category:<18}{f['queries']:>8}{f['recall@10']:>11.2f}"
                f"{f['mrr']:>7.2f}{f['empty']:>7.2f}"
            )
            for key in ("recall@10", "mrr", "empty"):
                total[key] += f[key] * f["queries"]
            total["queries"] += f["queries"]
        n = total["queries"]
        print(
            f"{'all':<18}{n:>8}{total['recall@10'] / n:>11.2f}"
            f"{total['mrr'] / n:>7.2f}{total['empty'] / n:>7.2f}"
        )
    if opts.set == "catalog":
        from tests.relevance_queries import KNOWN_MISSES

        print("\nknown misses (tests/relevance_queries.py):")
        for query, why in KNOWN_MISSES.items():
            print(f"  {query}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
