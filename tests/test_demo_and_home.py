import pytest
from django.contrib.auth import get_user_model

from catalog.models import CatalogEntryPage, KnowledgePoint, LessonPage, School
from demo.seeding import seed_demo


@pytest.mark.django_db
def test_demo_is_complete_and_idempotent(demo, client):
    counts = lambda: (  # noqa: E731
        KnowledgePoint.objects.count(),
        CatalogEntryPage.objects.count(),
        get_user_model().objects.count(),
        School.objects.count(),
    )
    before = counts()
    seed_demo()
    assert counts() == before

    points = KnowledgePoint.objects
    for stage, subject in [
        ("primary", "maths"),
        ("junior", "maths"),
        ("junior", "physics"),
    ]:
        assert points.filter(stage__code=stage, subject__code=subject).count() >= 45
    assert points.count() >= 150
    live = CatalogEntryPage.objects.live()
    assert live.count() >= 36
    assert live.values("subject").distinct().count() >= 8
    assert set(live.values_list("academic_year", flat=True)) >= {2024, 2025, 2026}
    assert live.filter(quality_pick__isnull=False).count() >= 5
    usernames = set(get_user_model().objects.values_list("username", flat=True))
    assert {"admin", "bureau", "editor_math", "teacher_wang"} <= usernames


@pytest.mark.django_db
def test_home_page_lists_stages_and_subjects_with_counts(demo, client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    for name in ["学前", "小学", "初中", "高中", "中职", "数学", "物理"]:
        assert name in body
    junior_maths = (
        CatalogEntryPage.objects.live()
        .filter(stage__code="junior", subject__code="maths")
        .count()
    )
    assert (
        f'href="/junior/maths/">数学</a> <span class="muted">({junior_maths})' in body
    )


@pytest.mark.django_db
def test_home_page_query_count_is_constant(demo, client, django_assert_max_num_queries):
    # Warm the process-wide caches (site root paths, stages) first: counted
    # alone in a new process, the first request made one query more.
    client.get("/")
    with django_assert_max_num_queries(12):
        client.get("/")


@pytest.mark.django_db
def test_subject_and_lesson_pages_render(demo, client):
    response = client.get("/junior/maths/")
    assert response.status_code == 200
    assert "二次函数的图像与性质（一）" in response.content.decode()
    lesson = CatalogEntryPage.objects.live().get(title="二次函数的图像与性质（一）")
    body = client.get(lesson.url).content.decode()
    assert "二次函数的图像与性质" in body
    assert "精品微课" in body  # the quality-pick badge, in Chinese


@pytest.mark.django_db
def test_demo_leaves_a_lesson_waiting_in_each_editors_queue(demo, client):
    """A newcomer can try 审核 right after `make run`: each demo editor has a
    submitted draft of their subject in the queue, and only theirs."""
    waiting = LessonPage.objects.filter(slug__startswith="review-")
    assert not waiting.filter(live=True).exists()
    assert {p.current_workflow_state.status for p in waiting} == {"in_progress"}
    queues = {}
    for editor in ("editor_math", "editor_physics"):
        client.force_login(get_user_model().objects.get(username=editor))
        queues[editor] = client.get("/alliance/review/").content.decode()
    assert "梯子问题" in queues["editor_math"]
    assert "浮力大小与哪些因素有关" not in queues["editor_math"]
    assert "浮力大小与哪些因素有关" in queues["editor_physics"]
    assert "梯子问题" not in queues["editor_physics"]
