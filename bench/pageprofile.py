"""Where a logged-in page's time goes: per page, the number of queries, the
time in SQL and the rest (view and template code), cold (empty cache: every
fragment computed) and warm (fragments cached; a logged-in teacher never gets
the anonymous page cache), in-process with Django's test client.

    .venv/bin/python bench/pageprofile.py --lessons 10000            # SQLite
    DATABASE_URL=postgres://… .venv/bin/python bench/pageprofile.py  # PostgreSQL
    .venv/bin/python bench/pageprofile.py --profile lesson           # + cProfile

The data are bench/pagegen.py's (the demo scaled to --lessons); an existing
database with that many lessons is reused (WEIKE_VAR_DIR or DATABASE_URL).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))


def pages(teacher) -> dict[str, str]:
    from urllib.parse import quote

    from catalog.models import LessonPage

    lesson = LessonPage.objects.live().filter(author=teacher).order_by("pk").first()
    return {
        "home": "/",
        "tree": "/browse/junior/maths/",
        "search": "/find/?q=" + quote("函数"),
        "lesson": quote("/" + lesson.url_path.split("/", 2)[2]),
        "my": "/my/",
    }


def measure(client, path, cold: bool):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(path)
        total = time.perf_counter() - start
    assert response.status_code == 200, (path, response.status_code)
    sql = sum(float(q["time"]) for q in ctx.captured_queries)
    return total * 1000, sql * 1000, len(ctx.captured_queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lessons", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", choices=["home", "tree", "search", "lesson", "my"])
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weike.settings.base")
    os.environ.setdefault("WEIKE_PAGE_CACHE_SECONDS", "0")
    if "WEIKE_VAR_DIR" not in os.environ:
        os.environ["WEIKE_VAR_DIR"] = tempfile.mkdtemp(prefix="weike-pageprofile-")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from pagegen import prepare

    from catalog.models import CatalogEntryPage

    if CatalogEntryPage.objects.count() < args.lessons:
        prepare(args.lessons, index=True)
    settings.ALLOWED_HOSTS = ["*"]
    teacher = (
        get_user_model()
        .objects.filter(username__startswith="teacher")
        .order_by("username")
        .first()
    )
    client = Client()
    client.force_login(teacher)
    urls = pages(teacher)
    mine = CatalogEntryPage.objects.filter(author=teacher).count()
    print(
        f"{CatalogEntryPage.objects.count()} entries on "
        f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; "
        f"logged in as {teacher.username} ({mine} entries of theirs)"
    )
    print(
        f"{'page':<8}{'queries':>8}{'cold ms':>9}{'sql ms':>8}"
        f"{'queries':>9}{'warm ms':>9}{'p95 ms':>8}{'sql ms':>8}"
    )
    for name, path in urls.items():
        client.get(path)  # imports, template loading
        cold = [measure(client, path, cold=True) for _ in range(3)]
        warm = [measure(client, path, cold=False) for _ in range(args.repeat)]
        c_total = statistics.median(c[0] for c in cold)
        c_sql = statistics.median(c[1] for c in cold)
        w_totals = sorted(w[0] for w in warm)
        w_sql = statistics.median(w[1] for w in warm)
        p95 = w_totals[max(0, int(len(w_totals) * 0.95) - 1)]
        print(
            f"{name:<8}{cold[-1][2]:>8}{c_total:>9.1f}{c_sql:>8.1f}"
            f"{warm[-1][2]:>9}{statistics.median(w_totals):>9.1f}{p95:>8.1f}"
            f"{w_sql:>8.1f}"
        )
    if args.profile:
        from django.core.cache import cache

        path = urls[args.profile]
        profiler = cProfile.Profile()
        for _ in range(5):
            cache.clear()
            profiler.runcall(client.get, path)
        print(f"\ncProfile of 5 cold renders of {args.profile} ({path}):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
