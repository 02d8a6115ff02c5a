"""Bulk page rows for the benchmarks: `add_child` per page would take an hour
for 10,000 lessons, so the treebeard path is computed here instead."""

import random
import time
import uuid
from urllib.parse import quote


def tree_step(n: int) -> str:
    """The treebeard path segment of the n-th child (1-based)."""
    from wagtail.models import Page

    return Page._int2str(n).rjust(Page.steplen, "0")


def live_page(parent, position: int, slug: str, title: str, content_type, locale, now):
    """An unsaved, live `Page` row at `position` under `parent`."""
    from wagtail.models import Page

    return Page(
        title=title,
        draft_title=title,
        slug=slug,
        content_type=content_type,
        path=parent.path + tree_step(position),
        depth=parent.depth + 1,
        numchild=0,
        url_path=f"{parent.url_path}{slug}/",
        live=True,
        first_published_at=now,
        last_published_at=now,
        locale=locale,
        translation_key=uuid.uuid4(),
    )


def prepare(lessons: int, index: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from demo.seeding import seed_demo

    call_command("migrate", verbosity=0)
    seed_demo()
    t = time.perf_counter()
    scale_to(lessons)
    print(f"  {lessons} lessons inserted in {time.perf_counter() - t:.1f} s")
    if index:
        t = time.perf_counter()
        index_lessons()
        print(f"  search index built in {time.perf_counter() - t:.1f} s")
    call_command("collectstatic", interactive=False, verbosity=0)


def scale_to(total: int, seed: int = 11) -> None:
    """Bulk-insert lessons until `total` entries exist (tree paths computed
    here: add_child per page would take an hour for 10,000)."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Locale, Page

    from catalog.models import (
        CatalogEntryPage,
        KnowledgePoint,
        LessonPage,
        QualityPick,
        School,
        SubjectPage,
    )

    rng = random.Random(seed)
    existing = CatalogEntryPage.objects.count()
    points = {}
    for kp in KnowledgePoint.objects.exclude(grade=None):
        points.setdefault((kp.stage_id, kp.subject_id), []).append(kp)
    subjects = [
        p for p in SubjectPage.objects.all() if (p.stage_id, p.subject_id) in points
    ]
    # Last child position per subject page, so new paths never collide.
    for parent in subjects:
        last = parent.get_last_child()
        parent.next_step = (Page._str2int(last.path[-4:]) if last else 0) + 1
    authors = list(get_user_model().objects.filter(username__startswith="teacher"))
    schools = list(School.objects.all())
    ct = ContentType.objects.get_for_model(LessonPage)
    locale = Locale.get_default()
    now = timezone.now()
    made, batch = 0, 2000
    entry_fields = [f for f in CatalogEntryPage._meta.local_concrete_fields]
    lesson_fields = [f for f in LessonPage._meta.local_concrete_fields]
    while existing + made < total:
        size = min(batch, total - existing - made)
        pages, entries = [], []
        for i in range(size):
            parent = rng.choice(subjects)
            kp = rng.choice(points[(parent.stage_id, parent.subject_id)])
            n = existing + made + i
            title = f"{kp.name}{rng.choice(['', '（一）', '（二）', '练习', '探究'])}"
            slug = f"bench-{n}"
            pages.append(
                live_page(parent, parent.next_step, slug, title, ct, locale, now)
            )
            parent.next_step += 1
            parent.numchild += 1
            school = rng.choice(schools)
            entries.append(
                (
                    LessonPage(
                        summary=f"本节微课讲解“{kp.name}”，配有例题与练习。",
                        stage_id=parent.stage_id,
                        subject_id=parent.subject_id,
                        grade_id=kp.grade_id,
                        resource_type="micro_lesson",
                        author=rng.choice(authors),
                        school_id=school.pk,
                        district_id=school.district_id,
                        academic_year=rng.choice([2023, 2024, 2025]),
                        licence="cc-by-nc-4.0",
                        view_count=rng.randint(0, 5000),
                    ),
                    kp,
                )
            )
        with transaction.atomic():
            Page.objects.bulk_create(pages)
            links = []
            for page, (entry, kp) in zip(pages, entries, strict=True):
                entry.page_ptr_id = entry.catalogentrypage_ptr_id = page.pk
                links.append(
                    CatalogEntryPage.knowledge_points.through(
                        catalogentrypage_id=page.pk, knowledgepoint_id=kp.pk
                    )
                )
            for model, fields in (
                (CatalogEntryPage, entry_fields),
                (LessonPage, lesson_fields),
            ):
                cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
                marks = ", ".join(["%s"] * len(fields))
                rows = [
                    [
                        f.get_db_prep_save(getattr(e, f.attname), connection)
                        for f in fields
                    ]
                    for e, _kp in entries
                ]
                with connection.cursor() as cur:
                    cur.executemany(
                        f"INSERT INTO {model._meta.db_table} ({cols}) VALUES ({marks})",
                        rows,
                    )
            CatalogEntryPage.knowledge_points.through.objects.bulk_create(links)
            QualityPick.objects.bulk_create(
                QualityPick(page_id=page.pk, picked_at=now)
                for page in pages
                if rng.random() < 0.1
            )
        made += size
    for parent in subjects:
        Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild)


def index_lessons() -> None:
    from modelsearch.backends import get_search_backend

    from catalog.models import LessonPage

    backend = get_search_backend()
    index = backend.get_index_for_model(LessonPage)
    index.add_model(LessonPage)
    objs = list(LessonPage.get_indexed_objects().order_by("pk"))
    for i in range(0, len(objs), 1000):
        index.add_items(LessonPage, objs[i : i + 1000])


def lesson_urls(count: int) -> list[str]:
    from catalog.models import LessonPage

    pages = LessonPage.objects.live().order_by("?")[:count]
    return [quote("/" + p.url_path.split("/", 2)[2]) for p in pages]
