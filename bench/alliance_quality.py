"""Benchmark: "which entries were quality picks at date t" over the decision log.

    .venv/bin/python bench/alliance_quality.py            # 2,000 entries
    .venv/bin/python bench/alliance_quality.py --n 200    # smoke test

Compares `alliance.selectors.quality_picks_at(t)` (one query with a correlated
subquery) with the baseline measured in the same run: calling
`is_quality_pick_at(page, t)` for every entry. Both must agree. Runs on a
throw-away SQLite database (or DATABASE_URL) in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(tmp: Path):
    os.environ["WEIKE_VAR_DIR"] = str(tmp)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weike.settings.base")
    os.environ.setdefault("WEIKE_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def best(fn, repeat):
    fn()
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def seed(n: int, rng: random.Random):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from alliance.models import QualityAction, QualityDecision
    from catalog.models import LessonPage, SubjectPage
    from catalog.seeding import seed_page_tree, seed_taxonomy

    seed_taxonomy()
    seed_page_tree()
    user = get_user_model().objects.create(username="bench-editor")
    parents = list(SubjectPage.objects.all())
    now = timezone.now()
    decisions = []
    for i in range(n):
        page = LessonPage(
            title=f"微课 {i}",
            slug=f"bench-{i}",
            academic_year=2025,
            resource_type="micro_lesson",
        )
        rng.choice(parents).add_child(instance=page)
        # 0–3 alternating decisions spread over the last year.
        moment = now - timedelta(days=rng.randint(200, 365))
        for k in range(rng.randint(0, 3)):
            action = QualityAction.DESIGNATE if k % 2 == 0 else QualityAction.REVOKE
            decisions.append(
                QualityDecision(
                    page_id=page.pk, action=action, decided_by=user, decided_at=moment
                )
            )
            moment += timedelta(days=rng.randint(1, 90))
    QualityDecision.objects.bulk_create(decisions)
    return now


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="catalog entries")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="weike-bench-") as tmp:
        setup_django(Path(tmp))
        from alliance.selectors import is_quality_pick_at, quality_picks_at
        from catalog.models import CatalogEntryPage

        rng = random.Random(7)
        start = time.perf_counter()
        now = seed(args.n, rng)
        print(f"seeded {args.n} entries in {time.perf_counter() - start:.1f}s")
        moments = [now - timedelta(days=d) for d in (300, 150, 0)]
        entries = list(CatalogEntryPage.objects.only("pk"))

        def set_based():
            return [
                set(quality_picks_at(m).values_list("pk", flat=True)) for m in moments
            ]

        def per_entry():
            return [
                {e.pk for e in entries if is_quality_pick_at(e, m)} for m in moments
            ]

        t_set, r_set = best(set_based, args.repeat)
        t_loop, r_loop = best(per_entry, max(1, args.repeat // 3))
        assert r_set == r_loop, "the two methods disagree"
        counts = ", ".join(str(len(r)) for r in r_set)
        print(f"picks at 3 dates: {counts}")
        print(f"quality_picks_at (1 query/date): {t_set * 1000:8.1f} ms")
        print(f"is_quality_pick_at per entry:    {t_loop * 1000:8.1f} ms (baseline)")
        print(f"speed-up: {t_loop / t_set:.1f}x")


if __name__ == "__main__":
    main()
