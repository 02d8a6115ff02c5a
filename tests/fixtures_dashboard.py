"""Fixtures owned by the dashboard work; loaded from tests/conftest.py.

`quota_world`: quota rules for 2025 and 2026 and a small alliance whose
resources sit on both sides of New Year in Asia/Shanghai, plus entries that
are later moved, unpublished, deleted or have their pick revoked by the tests.
The real OpenSearch node comes from `opensearch_url` (tests/fixtures_search.py).
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@dataclass
class QuotaWorld:
    pages: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    points: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.pages[key]


def make_entry(
    key,
    stage,
    subject,
    rtype,
    published,
    *,
    world,
    picked=None,
    school=None,
    author=None,
    points=(),
):
    from catalog.models import CatalogEntryPage, School
    from tests.factories import LessonPageFactory, ResourcePageFactory, subject_page

    factory = LessonPageFactory if rtype == "micro_lesson" else ResourcePageFactory
    kwargs = {"resource_type": rtype} if rtype != "micro_lesson" else {}
    school_obj = School.objects.get(name=school) if school else None
    page = factory(
        parent=subject_page(stage, subject),
        title=f"{key} 测试资源",
        school=school_obj,
        author=author or world.users["teacher"],
        knowledge_points=list(points),
        **kwargs,
    )
    updates = {"first_published_at": published, "last_published_at": published}
    CatalogEntryPage.objects.filter(pk=page.pk).update(**updates)
    if picked:
        from catalog.models import QualityPick

        QualityPick.objects.create(page_id=page.pk, picked_at=picked)
    page.refresh_from_db()
    world.pages[key] = page
    return page


@pytest.fixture
def quota_users(taxonomy):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    def make(username, group=None, **extra):
        user = UserFactory(username=username, first_name=username, **extra)
        if group:
            user.groups.add(Group.objects.get_or_create(name=group)[0])
        return user

    return {
        "bureau": make("dash_bureau", "教育局"),
        "admin": make("dash_admin", "管理员"),
        "super": make("dash_super", is_superuser=True, is_staff=True),
        "teacher": make("dash_teacher", "教师"),
        "teacher2": make("dash_teacher2", "教师"),
        "editor": make("dash_editor", "学科编辑"),
    }


@pytest.fixture
def quota_world(taxonomy, quota_users):
    """Rules for 2025/2026 and resources straddling the year boundary."""
    from catalog.models import Grade, Stage, Subject
    from dashboard.demo import seed_quota_rules
    from tests.factories import KnowledgePointFactory

    seed_quota_rules(years=(2025, 2026))
    world = QuotaWorld(users=quota_users)

    # A tiny knowledge tree for 初中数学: root › unit › two points, and a
    # second unit with one point. Only the first leaf gets a quality lesson.
    junior, maths = Stage.objects.get(code="junior"), Subject.objects.get(code="maths")
    g8 = Grade.objects.get(code="g8")
    kp = {}
    kp["root"] = KnowledgePointFactory(name="数与代数", stage=junior, subject=maths)
    kp["unit"] = KnowledgePointFactory(
        name="一元二次方程", parent=kp["root"], stage=junior, subject=maths, grade=g8
    )
    kp["leaf1"] = KnowledgePointFactory(
        name="配方法", parent=kp["unit"], stage=junior, subject=maths, grade=g8
    )
    kp["leaf2"] = KnowledgePointFactory(
        name="公式法", parent=kp["unit"], stage=junior, subject=maths, grade=g8
    )
    kp["unit2"] = KnowledgePointFactory(
        name="函数", parent=kp["root"], stage=junior, subject=maths, grade=g8
    )
    kp["leaf3"] = KnowledgePointFactory(
        name="一次函数", parent=kp["unit2"], stage=junior, subject=maths, grade=g8
    )
    world.points = kp

    e = make_entry
    # The year boundary, for publication …
    e(
        "last_second_2025",
        "primary",
        "chinese",
        "courseware",
        sh(2025, 12, 31, 23, 59, 59),
        world=world,
        school="东湖区实验小学",
    )
    e(
        "first_second_2026",
        "primary",
        "chinese",
        "courseware",
        sh(2026, 1, 1, 0, 0, 0),
        world=world,
        school="西山县城关小学",
    )
    # … and for designation (published in 2025, picked either side of New Year).
    e(
        "pick_2025",
        "primary",
        "maths",
        "micro_lesson",
        sh(2025, 6, 1, 10),
        picked=sh(2025, 12, 31, 23, 59, 59, 999999),
        world=world,
    )
    e(
        "pick_2026",
        "primary",
        "maths",
        "micro_lesson",
        sh(2025, 11, 1, 10),
        picked=sh(2026, 1, 1, 0, 0, 0),
        world=world,
        school="东湖区实验小学",
    )
    # To be changed by the tests.
    e("to_move", "primary", "chinese", "exercises", sh(2026, 3, 15, 8), world=world)
    e(
        "to_unpublish",
        "primary",
        "chinese",
        "lesson_plan",
        sh(2026, 2, 2, 8),
        world=world,
    )
    e(
        "to_revoke",
        "junior",
        "maths",
        "micro_lesson",
        sh(2026, 4, 1, 8),
        picked=sh(2026, 4, 10, 8),
        world=world,
        points=[kp["leaf2"]],
    )
    e("to_delete", "senior", "physics", "courseware", sh(2026, 5, 5, 8), world=world)
    # Coverage: a live quality lesson on leaf1 covers leaf1, unit and root.
    e(
        "covers_leaf1",
        "junior",
        "maths",
        "micro_lesson",
        sh(2026, 2, 1, 8),
        picked=sh(2026, 2, 20, 8),
        world=world,
        points=[kp["leaf1"]],
        school="东湖区第一中学",
        author=quota_users["teacher2"],
    )
    # A plain (not picked) lesson on leaf3 does not cover it.
    e(
        "plain_leaf3",
        "junior",
        "maths",
        "micro_lesson",
        sh(2026, 2, 3, 8),
        world=world,
        points=[kp["leaf3"]],
    )
    # Other rules and districts.
    e(
        "physics_xishan",
        "junior",
        "physics",
        "courseware",
        sh(2026, 6, 1, 8),
        world=world,
        school="西山县第三初级中学",
    )
    e(
        "physics_senior",
        "senior",
        "physics",
        "study_guide",
        sh(2026, 7, 1, 8),
        world=world,
        school="东湖区第一中学",
    )
    e(
        "game",
        "preschool",
        "arts",
        "game_example",
        sh(2026, 8, 1, 8),
        world=world,
        school="东湖区第二幼儿园",
    )
    e(
        "game_2024",
        "preschool",
        "arts",
        "game_example",
        sh(2024, 12, 31, 12),
        world=world,
    )
    return world


@pytest.fixture(
    scope="session",
    params=[
        pytest.param("opensearch", marks=pytest.mark.opensearch),
        pytest.param("elasticsearch", marks=pytest.mark.elasticsearch),
    ],
)
def quota_engine_url(request):
    """The quota engine URL on the session's OpenSearch node, then on its
    Elasticsearch node (every quota-count test runs on both), with the scheme
    that picks the engine's client: opensearch://… or elasticsearch://…"""
    node_url = request.getfixturevalue(f"{request.param}_url")
    return f"{request.param}://{node_url.split('://', 1)[1]}"


@pytest.fixture
def quota_index(quota_engine_url, settings):
    """A fresh quota index on the real node, used by get_counter() and signals."""
    import uuid

    from dashboard.engine import QuotaIndex

    name = f"test_quota_{uuid.uuid4().hex[:10]}"
    settings.DASHBOARD_QUOTA_ENGINE_URL = quota_engine_url
    settings.DASHBOARD_QUOTA_INDEX = name
    index = QuotaIndex(quota_engine_url, name)
    yield index
    index.drop()
