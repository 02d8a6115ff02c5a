"""Fixtures of the exchange app: published entries made through Wagtail's own
publish (so the catalog's `entry_changed` reaches the data provider)."""

from __future__ import annotations

import itertools

from catalog.models import Grade, KnowledgePoint, Stage, Subject, TextbookEdition
from tests.factories import LessonPageFactory, ResourcePageFactory, subject_page
from tests.fixtures_site import make_video

_N = itertools.count(1)


def knowledge_chain():
    """A root point with a child, for taxon paths (junior maths)."""
    stage = Stage.objects.get(code="junior")
    maths = Subject.objects.get(code="maths")
    root, _ = KnowledgePoint.objects.get_or_create(
        code="MJ-EX", defaults={"name": "二次函数", "stage": stage, "subject": maths}
    )
    leaf, _ = KnowledgePoint.objects.get_or_create(
        code="MJ-EX-01",
        defaults={
            "name": "二次函数的图像",
            "stage": stage,
            "subject": maths,
            "parent": root,
        },
    )
    return root, leaf


def published_lesson(title=None, subject="maths", knowledge_points=(), **fields):
    """A micro-lesson with a ready video, published the way the admin does."""
    n = next(_N)
    video = make_video(duration=452.4, width=1280, height=720)
    page = LessonPageFactory(
        title=title or f"交换测试微课 {n}",
        parent=subject_page(subject=subject),
        live=False,
        video=video,
        knowledge_points=list(knowledge_points),
        grade=Grade.objects.filter(code="g8").first(),
        edition=TextbookEdition.objects.order_by("pk").first(),
        **fields,
    )
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def published_resource(title=None, **fields):
    n = next(_N)
    page = ResourcePageFactory(title=title or f"交换测试课件 {n}", live=False, **fields)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def draft_lesson(title="草稿微课"):
    return LessonPageFactory(title=title, live=False, video=make_video())
