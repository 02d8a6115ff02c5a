"""Benchmark: the full quota dashboard vs one COUNT per rule, engine and SQLite.

    .venv/bin/python bench/quotas.py                      # 1,000,000 / 100,000
    .venv/bin/python bench/quotas.py --n-engine 50000 --n-db 5000   # smoke test

"Full dashboard" = every quota rule of the year (seeded table, 14 rules) with
counts and month-by-month progress, plus knowledge-point coverage for every
subject. The baseline, measured in the same run, is the naive way: one COUNT
query (or one engine `_count` request) per rule.

- SQLite: a fresh database in a temporary folder (migrated, seeded taxonomy,
  synthetic knowledge trees), with `--n-db` catalog entries bulk-inserted.
- Engine: a real OpenSearch node (started from ~/.cache/weike like the tests,
  or `--engine-url`), with `--n-engine` generated documents bulk-indexed
  straight into the quota index.
Timings are the best of `--repeat` runs after one warm-up.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from pagegen import tree_step  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
YEAR = 2026


def setup_django(tmp: Path):
    os.environ["WEIKE_VAR_DIR"] = str(tmp)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weike.settings.base")
    os.environ["WEIKE_QUOTA_ENGINE_URL"] = "off"
    os.environ.setdefault("WEIKE_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def best(fn, repeat):
    fn()  # warm-up (caches, SQLite page cache, engine global ordinals)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


# --- data --------------------------------------------------------------------
def seed_base(n_points_per_subject: int):
    from catalog.models import Grade, KnowledgePoint, SubjectPage
    from catalog.seeding import seed_page_tree, seed_taxonomy
    from dashboard.demo import seed_quota_rules

    seed_taxonomy()
    seed_page_tree()
    seed_quota_rules(years=(YEAR,))
    # Synthetic knowledge trees: per stage/subject, roots › units › points.
    roots, units, leaves = [], [], []
    for sp in SubjectPage.objects.select_related("stage", "subject"):
        grades = list(Grade.objects.filter(stage=sp.stage)) or [None]
        common = {"stage": sp.stage, "subject": sp.subject}
        for r in range(3):
            root = KnowledgePoint(code=f"B-{sp.pk}-{r}", name=f"领域{r}", **common)
            roots.append((root, None))
            for u in range(max(1, n_points_per_subject // 30)):
                grade = grades[u % len(grades)]
                unit = KnowledgePoint(
                    code=f"B-{sp.pk}-{r}-{u}", name=f"单元{u}", grade=grade, **common
                )
                units.append((unit, root))
                for k in range(9):
                    leaf = KnowledgePoint(
                        code=f"B-{sp.pk}-{r}-{u}-{k}",
                        name=f"知识点{k}",
                        grade=grade,
                        **common,
                    )
                    leaves.append((leaf, unit))
    # Parents first, level by level; `path` is set by hand (bulk, no save()).
    for level in (roots, units, leaves):
        for kp, parent in level:
            kp.parent = parent
        KnowledgePoint.objects.bulk_create([kp for kp, _ in level], batch_size=2000)
        for kp, parent in level:
            kp.path = (parent.path if parent else "/") + f"{kp.pk}/"
            kp.depth = kp.path.count("/") - 1
        KnowledgePoint.objects.bulk_update(
            [kp for kp, _ in level], ["path", "depth"], batch_size=2000
        )
    return KnowledgePoint.objects.count()


class Universe:
    """Realistic random dimensions, taken from the seeded taxonomy."""

    def __init__(self, rng: random.Random):
        from catalog.models import KnowledgePoint, ResourceType, School, SubjectPage

        self.rng = rng
        self.subject_pages = list(SubjectPage.objects.select_related("stage"))
        self.schools = list(School.objects.values_list("pk", "district_id"))
        self.types = [str(t) for t in ResourceType.values]
        kps = KnowledgePoint.objects.filter(depth__gte=2).values_list(
            "pk", "subject_id", "stage_id"
        )
        self.kps = {}
        for pk, subject, stage in kps:
            self.kps.setdefault((stage, subject), []).append(pk)
        self.start = datetime(YEAR - 2, 1, 1, tzinfo=SH)
        self.span = (datetime(YEAR, 11, 20, tzinfo=SH) - self.start).total_seconds()

    def entry(self):
        rng = self.rng
        sp = rng.choice(self.subject_pages)
        if sp.stage.code == "preschool":
            rtype = rng.choice(["game_example", "micro_lesson"])
        else:
            rtype = rng.choice(self.types[:5])  # micro-lesson + synchronous
        school, district = rng.choice(self.schools)
        published = self.start + timedelta(seconds=rng.random() * self.span)
        is_pick = rtype == "micro_lesson" and rng.random() < 0.3
        picked = published + timedelta(days=rng.randint(1, 120)) if is_pick else None
        kps = self.kps.get((sp.stage_id, sp.subject_id), [])
        kp_ids = rng.sample(kps, min(len(kps), rng.randint(0, 2))) if kps else []
        return {
            "subject_page": sp,
            "stage": sp.stage_id,
            "subject": sp.subject_id,
            "rtype": rtype,
            "school": school,
            "district": district,
            "author": rng.randint(1, 5000),
            "published": published,
            "is_pick": is_pick,
            "picked": picked,
            "live": rng.random() > 0.03,
            "kp_ids": kp_ids,
        }


def fill_sqlite(n: int, universe: Universe, batch: int = 2000):
    """Bulk-insert n catalog entries (Page, CatalogEntryPage, Lesson/Resource)."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.db.models import F
    from wagtail.models import Locale, Page

    from catalog.models import CatalogEntryPage, LessonPage, QualityPick, ResourcePage

    User = get_user_model()
    authors = [User(username=f"bench{i}", first_name=f"老师{i}") for i in range(1, 501)]
    User.objects.bulk_create(authors, batch_size=500)
    author_ids = list(User.objects.values_list("pk", flat=True))
    ct = {
        LessonPage: ContentType.objects.get_for_model(LessonPage),
        ResourcePage: ContentType.objects.get_for_model(ResourcePage),
    }
    locale = Locale.get_default()
    through = CatalogEntryPage.knowledge_points.through
    counters: dict[int, int] = {}

    done = 0
    while done < n:
        size = min(batch, n - done)
        entries = [universe.entry() for _ in range(size)]
        with transaction.atomic():
            pages = []
            for i, e in enumerate(entries):
                sp = e["subject_page"]
                # Paths from "1000" (base 36) up: clear of existing children.
                counters[sp.pk] = counters.get(sp.pk, 36**3) + 1
                model = LessonPage if e["rtype"] == "micro_lesson" else ResourcePage
                e["model"] = model
                slug = f"b{done + i}"
                pages.append(
                    Page(
                        title=f"资源{done + i}",
                        draft_title=f"资源{done + i}",
                        slug=slug,
                        path=sp.path + tree_step(counters[sp.pk]),
                        depth=sp.depth + 1,
                        numchild=0,
                        url_path=f"{sp.url_path}{slug}/",
                        content_type=ct[model],
                        live=e["live"],
                        first_published_at=e["published"],
                        last_published_at=e["published"],
                        locale=locale,
                        translation_key=uuid.uuid4(),
                    )
                )
            Page.objects.bulk_create(pages)
            entry_rows = []
            for page, e in zip(pages, entries, strict=True):
                entry_rows.append(
                    CatalogEntryPage(
                        page_ptr_id=page.pk,
                        summary="",
                        stage_id=e["stage"],
                        subject_id=e["subject"],
                        resource_type=e["rtype"],
                        author_id=author_ids[e["author"] % len(author_ids)],
                        school_id=e["school"],
                        district_id=e["district"],
                        academic_year=e["published"].year,
                        licence="cc-by-nc-4.0",
                        view_count=0,
                    )
                )
            fields = CatalogEntryPage._meta.local_concrete_fields
            CatalogEntryPage._base_manager._insert(entry_rows, fields=fields)
            for model in (LessonPage, ResourcePage):
                rows = [
                    model(catalogentrypage_ptr_id=p.pk)
                    for p, e in zip(pages, entries, strict=True)
                    if e["model"] is model
                ]
                if rows:
                    model._base_manager._insert(
                        rows, fields=model._meta.local_concrete_fields
                    )
            through.objects.bulk_create(
                [
                    through(catalogentrypage_id=p.pk, knowledgepoint_id=kp)
                    for p, e in zip(pages, entries, strict=True)
                    for kp in e["kp_ids"]
                ]
            )
            QualityPick.objects.bulk_create(
                QualityPick(page_id=p.pk, picked_at=e["picked"])
                for p, e in zip(pages, entries, strict=True)
                if e["is_pick"]
            )
        done += size
    for sp_pk, last in counters.items():
        Page.objects.filter(pk=sp_pk).update(numchild=F("numchild") + last - 36**3)


def fill_engine(index, n: int, universe: Universe):
    from opensearchpy import helpers

    from dashboard.engine import make_doc

    index.create(recreate=True)
    index.es.indices.put_settings(
        index=index.name, body={"index": {"refresh_interval": "-1"}}
    )

    def actions():
        for i in range(n):
            e = universe.entry()
            if not e["live"]:
                continue  # the index holds live entries only
            yield {
                "_index": index.name,
                "_id": str(i + 1),
                "_source": make_doc(
                    stage=e["stage"],
                    subject=e["subject"],
                    rtype=e["rtype"],
                    district=e["district"],
                    school=e["school"],
                    author=e["author"],
                    first_published_at=e["published"],
                    is_pick=e["is_pick"],
                    picked_at=e["picked"],
                    kp_ids=e["kp_ids"],
                ),
            }

    indexed = 0
    for ok, _info in helpers.parallel_bulk(
        index.es,
        actions(),
        thread_count=2,
        chunk_size=5000,
        request_timeout=300,
        raise_on_error=True,
    ):
        indexed += ok
    index.es.indices.put_settings(
        index=index.name, body={"index": {"refresh_interval": "1s"}}
    )
    index.refresh()
    index.es.indices.forcemerge(
        index=index.name, max_num_segments=1, request_timeout=600
    )
    return indexed


# --- measurements --------------------------------------------------------------
def full_dashboard(counter):
    from dashboard.coverage import coverage
    from dashboard.services import dashboard_counts

    results, attached = dashboard_counts(YEAR, counter=counter)
    cov = coverage(attached=attached)
    return {r.spec.id: r.count for r in results}, cov


def parts(counter, repeat):
    """Rules alone and coverage alone, to show where the time goes."""
    from dashboard.coverage import coverage
    from dashboard.services import quota_results

    t_rules, _ = best(lambda: quota_results(YEAR, counter=counter), repeat)

    def cov():
        return coverage(attached=counter.covered_point_ids())

    t_cov, _ = best(cov, repeat)
    return f"rules {t_rules * 1000:.0f} ms + coverage {t_cov * 1000:.0f} ms"


def naive_engine(counter):
    from dashboard.services import rule_specs

    out = {}
    for spec in rule_specs(YEAR):
        body = {"query": {"bool": {"filter": counter.rule_filter(spec)}}}
        out[spec.id] = counter.index.es.count(index=counter.index.name, body=body)[
            "count"
        ]
    return out


def compare(label, n, counter, naive_unit, naive, target_ms, repeat):
    """Full dashboard vs the naive counts (which must agree), then the parts."""
    t_full, (full, cov) = best(lambda: full_dashboard(counter), repeat)
    t_naive, naive_result = best(naive, repeat)
    assert full == naive_result, (full, naive_result)
    print(
        f"{label} {n:,}: full dashboard {t_full * 1000:.0f} ms "
        f"({len(full)} rules + coverage {cov.covered}/{cov.total} points) | "
        f"naive one {naive_unit} per rule (rules only) {t_naive * 1000:.0f} ms | "
        f"ratio naive/full {t_naive / t_full:.2f}x | "
        f"target < {target_ms} ms: {'OK' if t_full * 1000 < target_ms else 'MISSED'}"
    )
    print(f"  {label} parts: {parts(counter, repeat)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-engine", type=int, default=1_000_000)
    parser.add_argument("--n-db", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=300, help="KPs per subject")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--engine-url", help="use a running node instead")
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="weike-bench-quotas-"))
    t0 = time.perf_counter()
    setup_django(tmp)
    from django.db import connection

    from dashboard.services import DatabaseCounter, naive_counts

    n_points = seed_base(args.points)
    universe = Universe(random.Random(args.seed))
    took = time.perf_counter() - t0
    print(f"setup: migrated + {n_points} knowledge points in {took:.1f}s")

    if args.n_db:
        t = time.perf_counter()
        fill_sqlite(args.n_db, universe)
        print(
            f"SQLite: {args.n_db:,} entries inserted in {time.perf_counter() - t:.1f}s"
        )
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        compare(
            "SQLite",
            args.n_db,
            DatabaseCounter(),
            "COUNT",
            lambda: naive_counts(YEAR),
            2000,
            args.repeat,
        )

    if args.n_engine:
        from dashboard.engine import EngineCounter, QuotaIndex

        node = None
        url = args.engine_url
        if not url:
            from tools.search_nodes.opensearch_node import start

            t = time.perf_counter()
            node = start(heap="1g")
            url = node.url
            print(f"OpenSearch node started in {time.perf_counter() - t:.1f}s ({url})")
        try:
            name = f"bench_quota_{uuid.uuid4().hex[:8]}"
            index = QuotaIndex(url, name)
            t = time.perf_counter()
            indexed = fill_engine(index, args.n_engine, universe)
            print(
                f"engine: {indexed:,} live docs of {args.n_engine:,} generated, "
                f"indexed in {time.perf_counter() - t:.1f}s"
            )
            engine = EngineCounter(url, name)
            compare(
                "engine",
                args.n_engine,
                engine,
                "_count",
                lambda: naive_engine(engine),
                500,
                args.repeat,
            )
            index.es.indices.delete(index=name)
        finally:
            if node:
                node.stop()


if __name__ == "__main__":
    try:
        main()
    finally:
        # The SQLite database of the run lives in WEIKE_VAR_DIR (a temp folder).
        var_dir = os.environ.get("WEIKE_VAR_DIR", "")
        if Path(var_dir).name.startswith("weike-bench-quotas-"):
            shutil.rmtree(var_dir, ignore_errors=True)
