"""Search benchmark: keyword + three facet filters (with all nine facet counts),
p50/p95, and indexing throughput, on our database backend, OpenSearch and
Elasticsearch, against stock Wagtail's database backend measured in the same run.
A second line per backend times the keyword alone (no filters: the most matches).

    .venv/bin/python bench/search.py                  # 100,000 generated lessons
    .venv/bin/python bench/search.py --n 5000         # quicker smoke run
    .venv/bin/python bench/search.py --engines none   # database only

Runs on a throw-away SQLite database (or DATABASE_URL) and throw-away engine
nodes (tools/search_nodes/opensearch_node.py and elasticsearch_node.py), one at a
time.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pagegen import live_page  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weike.settings.test")

QUERIES = ["函数", "二次函数", "光学", "勾股定理", "实验", "练习", "gg dl", "课件"]
# Queries no lesson has every word of: they take the relaxed second pass
# (typos, a long question, an out-of-catalog query that must find nothing).
RELAXED_QUERIES = [
    "勾股定里",
    "欧母定律",
    "二次涵数的图像",
    "怎样用配方法解一元二次方程",
    "微积分基本定理",
]


def setup_django():
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, keepdb=False)
    from demo.seeding import seed_demo

    seed_demo()


def generate(n: int, seed: int = 7) -> None:
    """n lessons inserted in bulk under the demo subject pages (tree paths
    computed here; going through add_child would take hours)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone
    from wagtail.models import Locale, Page

    from catalog.demo_data.lessons import ENTRIES
    from catalog.models import (
        CatalogEntryPage,
        Grade,
        KnowledgePoint,
        LessonPage,
        QualityPick,
        SubjectPage,
    )

    rng = random.Random(seed)
    subjects = list(SubjectPage.objects.all())
    grades = {}
    for g in Grade.objects.all():
        grades.setdefault(g.stage_id, []).append(g.pk)
    points = {}
    for p in KnowledgePoint.objects.all():
        points.setdefault(p.subject_id, []).append((p.pk, p.name))
    words = [e[4] for e in ENTRIES] + [name for ps in points.values() for _, name in ps]
    ct = ContentType.objects.get_for_model(LessonPage)
    locale = Locale.get_default()
    now = timezone.now()
    batch = 2000
    made = 0
    while made < n:
        size = min(batch, n - made)
        pages, extras = [], []
        for i in range(size):
            parent = rng.choice(subjects)
            parent.numchild += 1
            kps = points.get(parent.subject_id) or []
            kp = rng.choice(kps) if kps else None
            suffix = rng.choice(["", "（一）", "练习", "复习", "探究"])
            title = f"{rng.choice(words)}{suffix}"
            pages.append(
                live_page(
                    parent, parent.numchild, f"g-{made + i}", title, ct, locale, now
                )
            )
            extras.append((parent, kp, rng))
        Page.objects.bulk_create(pages)
        rows, lessons, m2m, picks = [], [], [], []
        for page, (parent, kp, r) in zip(pages, extras, strict=True):
            rows.append(
                (
                    page.pk,
                    rng.choice(
                        ["借助描点法画出图像", "用实验探究规律", "课堂练习与讲解"]
                    ),
                    parent.stage_id,
                    parent.subject_id,
                    rng.choice(grades.get(parent.stage_id, [None])),
                    "micro_lesson",
                    rng.choice([2024, 2025, 2026]),
                    "cc-by-nc-4.0",
                    r.randint(0, 5000),
                )
            )
            if r.random() < 0.1:
                picks.append(QualityPick(page_id=page.pk, picked_at=now))
            lessons.append((page.pk, False))
            if kp:
                m2m.append(
                    CatalogEntryPage.knowledge_points.through(
                        catalogentrypage_id=page.pk, knowledgepoint_id=kp[0]
                    )
                )
        columns = (
            "page_ptr_id, summary, stage_id, subject_id, grade_id, resource_type,"
            " academic_year, licence, view_count"
        )
        marks = ",".join(["%s"] * 9)
        with connection.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {CatalogEntryPage._meta.db_table} ({columns})"
                f" VALUES ({marks})",
                rows,
            )
            cur.executemany(
                f"INSERT INTO {LessonPage._meta.db_table}"
                " (catalogentrypage_ptr_id, allow_download) VALUES (%s, %s)",
                lessons,
            )
        CatalogEntryPage.knowledge_points.through.objects.bulk_create(m2m)
        QualityPick.objects.bulk_create(picks)
        made += size
    for parent in subjects:
        Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild)


def index_all(backend) -> float:
    """Index every lesson with `backend`; returns documents per second."""
    from catalog.models import LessonPage

    index = backend.get_index_for_model(LessonPage)
    rebuilder = backend.rebuilder_class(index) if backend.rebuilder_class else None
    if rebuilder:
        index = rebuilder.start()
    index.add_model(LessonPage)
    objs = list(LessonPage.get_indexed_objects().order_by("pk"))
    start = time.perf_counter()
    for i in range(0, len(objs), 1000):
        index.add_items(LessonPage, objs[i : i + 1000])
    if rebuilder:
        rebuilder.finish()
    elapsed = time.perf_counter() - start
    return len(objs) / elapsed


ENGINES = {
    "opensearch": ("tools.search_nodes.opensearch_node", "search.backends.opensearch2"),
    "elasticsearch": (
        "tools.search_nodes.elasticsearch_node",
        "search.backends.elasticsearch8",
    ),
}


def timed(fn, repeats: int, queries=QUERIES) -> tuple[float, float]:
    for q in queries:  # warm caches and connections first
        fn(q)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        for q in queries:
            fn(q)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    samples = []
    for i in range(repeats):
        q = queries[i % len(queries)]
        t = time.perf_counter()
        fn(q)
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=80)
    parser.add_argument(
        "--stock-repeats",
        type=int,
        default=24,
        help="stock Wagtail takes seconds per query at 100k; fewer samples",
    )
    parser.add_argument(
        "--engines", default="opensearch,elasticsearch", help="comma list or none"
    )
    parser.add_argument(
        "--engines-only",
        action="store_true",
        help="skip stock Wagtail and our database backend (1,000,000 lessons: "
        "stock takes minutes per query there); no ratio is printed",
    )
    opts = parser.parse_args()

    setup_django()
    import importlib

    from django.conf import settings
    from modelsearch.backends import get_search_backend

    from catalog.models import CatalogEntryPage, Stage, Subject
    from search.selectors import search_lessons

    t = time.perf_counter()
    generate(opts.n)
    print(f"generated {opts.n} lessons in {time.perf_counter() - t:.1f}s", flush=True)
    stage = Stage.objects.get(code="junior")
    subject = Subject.objects.get(code="maths")
    filters = {"stage": "junior", "subject": "maths", "type": "micro_lesson"}
    results = {}

    stock = get_search_backend("wagtail.search.backends.database")
    rate = None if opts.engines_only else index_all(stock)

    def stock_query(q):
        qs = CatalogEntryPage.objects.live().filter(
            stage=stage, subject=subject, resource_type="micro_lesson"
        )
        res = stock.search(q, qs)
        list(res[:20])
        for name in ("resource_type", "academic_year"):
            res.facet(name)

    if not opts.engines_only:
        results["stock wagtail db"] = (rate, *timed(stock_query, opts.stock_repeats))

    def measure(label, backend_name, rate):
        results[label] = (
            rate,
            *timed(
                lambda q: search_lessons({"q": q, **filters}, backend=backend_name),
                opts.repeats,
            ),
        )
        results[f"{label}, no filters"] = (
            None,
            *timed(
                lambda q: search_lessons({"q": q}, backend=backend_name), opts.repeats
            ),
        )
        results[f"{label}, typos/questions"] = (
            None,
            *timed(
                lambda q: search_lessons({"q": q}, backend=backend_name),
                opts.repeats,
                RELAXED_QUERIES,
            ),
        )
        print(f"measured {label}", flush=True)

    if not opts.engines_only:
        db = get_search_backend("default")
        measure("weike db (jieba)", "default", index_all(db))

    engines = [e for e in opts.engines.split(",") if e and e != "none"]
    for name in engines:
        module, backend_path = ENGINES[name]
        node = importlib.import_module(module).start(heap="1g")
        try:
            settings.WAGTAILSEARCH_BACKENDS[name] = {
                "BACKEND": backend_path,
                "URLS": [node.url],
                "INDEX_PREFIX": "bench_",
                "AUTO_UPDATE": False,
            }
            engine = get_search_backend(name)
            rate = index_all(engine)
            engine.get_index_for_model(CatalogEntryPage).refresh()
            measure(f"weike {name}", name, rate)
        finally:
            node.stop()

    base_p95 = results.get("stock wagtail db", (None, None, None))[2]
    print(f"\nn={opts.n}, {opts.repeats} queries ({opts.stock_repeats} for stock)")
    print("keyword + stage/subject/type filters + 9 facet counts + 20 hits")
    print(f"{'backend':<34}{'index docs/s':>14}{'p50 ms':>10}{'p95 ms':>10}"
          f"{'stock p95 / p95':>17}")  # fmt: skip
    for name, (rate, p50, p95) in results.items():
        rate_text = f"{rate:>14.0f}" if rate else f"{'':>14}"
        ratio = f"{base_p95 / p95:>16.1f}x" if base_p95 else f"{'-':>17}"
        print(f"{name:<34}{rate_text}{p50:>10.1f}{p95:>10.1f}{ratio}")
    print("targets: engine p95 < 50 ms, database p95 < 200 ms (with filters)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
