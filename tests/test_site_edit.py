"""The author edits a lesson's fields on the site (/my/lessons/<id>/edit/),
without the admin: a new version; refused while a review runs; errors on the
same page with nothing lost; nobody else's lesson, no foreign ids."""

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Grade, LessonPage, TextbookEdition
from tests.factories import KnowledgePointFactory
from tests.fixtures_alliance import publish

pytestmark = pytest.mark.django_db


def edit_url(page):
    return reverse("portal:edit", args=[page.pk])


@pytest.fixture
def points(alliance_users):
    # Two of the lesson's own subject (初中数学), one of another (初中物理).
    from catalog.models import Subject

    own = [KnowledgePointFactory(name=f"一次函数{i}") for i in (1, 2)]
    other = KnowledgePointFactory(
        name="欧姆定律", subject=Subject.objects.get(code="physics")
    )
    return own, other


def form_data(**changes):
    grade = Grade.objects.get(stage__code="junior", name="八年级")
    data = {
        "title": "一次函数的图像（修改后）",
        "summary": "两点法画图。",
        "grade": str(grade.pk),
        "edition": str(TextbookEdition.objects.order_by("pk").first().pk),
        "academic_year": "2025",
        "knowledge_points": [],
    }
    data.update(changes)
    return data


def test_the_author_saves_a_new_version(alliance_users, make_draft, login, points):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    client = login(teacher)
    shown = client.get(edit_url(page)).content.decode()
    assert f'value="{page.title}"' in shown
    revisions = page.revisions.count()
    own, _other = points
    response = client.post(
        edit_url(page),
        form_data(knowledge_points=[str(kp.pk) for kp in own]),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("portal:workspace", args=[page.pk])
    assert "已保存为本节微课的新版本。" in response.content.decode()
    page = LessonPage.objects.get(pk=page.pk)
    assert page.revisions.count() == revisions + 1
    # A draft: the row changes too, with its points.
    assert page.title == "一次函数的图像（修改后）"
    assert page.grade.name == "八年级"
    assert sorted(kp.pk for kp in page.knowledge_points.all()) == sorted(
        kp.pk for kp in own
    )


def test_a_published_lesson_keeps_its_page_until_the_new_version_is_published(
    alliance_users, make_draft, login
):
    teacher = alliance_users["teacher_a"]
    page = publish(make_draft(teacher, title="已发布的微课"), teacher)
    client = login(teacher)
    client.post(edit_url(page), form_data(title="新标题"))
    page = LessonPage.objects.get(pk=page.pk)
    assert page.live and page.title == "已发布的微课"
    assert page.get_latest_revision_as_object().title == "新标题"


def test_refused_while_in_review_with_the_values_kept(
    alliance_users, make_draft, login
):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher, title="审核中的微课")
    client = login(teacher)
    client.post(reverse("portal:submit", args=[page.pk]))
    response = client.post(edit_url(page), form_data(title="想改的标题"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "该资源正在审核中，请先撤回提交再修改。" in body
    assert 'value="想改的标题"' in body  # nothing the teacher typed is lost
    assert LessonPage.objects.get(pk=page.pk).title == "审核中的微课"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"grade": "²"}, None),
        ({"grade": "1" * 30}, None),
        ({"grade": "1 OR 1=1"}, None),
        ({"knowledge_points": ["../1"]}, None),
        ({"academic_year": "２０２４"}, "请填写 2000 到"),
        ({"title": ""}, None),
        ({"title": "长" * 256}, None),
    ],
)
def test_hostile_values_are_refused_on_the_same_page(
    alliance_users, make_draft, login, changes, message
):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher, title="原标题")
    revisions = page.revisions.count()
    response = login(teacher).post(edit_url(page), form_data(**changes))
    assert response.status_code == 400
    body = response.content.decode()
    assert body.count('class="field-error"') == 1
    if message:
        assert message in body
    assert LessonPage.objects.get(pk=page.pk).title == "原标题"
    assert page.revisions.count() == revisions


def test_points_and_grades_of_another_subject_or_stage_are_refused(
    alliance_users, make_draft, login, points
):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    _own, other = points
    primary = Grade.objects.filter(stage__code="primary").first()
    response = login(teacher).post(
        edit_url(page),
        form_data(knowledge_points=[str(other.pk)], grade=str(primary.pk)),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "欧姆定律" in body  # named in the sentence that refuses it
    assert "年级不属于所选学段。" in body
    assert not LessonPage.objects.get(pk=page.pk).knowledge_points.exists()


def test_nobody_else_edits_and_posts_need_csrf(alliance_users, make_draft, login):
    teacher, other = alliance_users["teacher_a"], alliance_users["teacher_b"]
    page = make_draft(teacher, title="别人的微课")
    client = login(other)
    assert client.get(edit_url(page)).status_code == 404
    assert client.post(edit_url(page), form_data(title="x")).status_code == 404
    assert client.get("/my/lessons/99999999999999999999/edit/").status_code == 404
    client.logout()
    anonymous = client.get(edit_url(page))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(teacher)
    assert strict.post(edit_url(page), form_data(title="x")).status_code == 403
    assert LessonPage.objects.get(pk=page.pk).title == "别人的微课"


def test_my_lessons_and_the_workspace_link_here_not_to_the_admin(
    alliance_users, make_draft, login
):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    client = login(teacher)
    for url in ("/my/", reverse("portal:workspace", args=[page.pk])):
        body = client.get(url).content.decode()
        assert f'href="/my/lessons/{page.pk}/edit/"' in body, url
        assert "/admin/pages/" not in body, url


def test_the_english_page_is_english(alliance_users, make_draft, login):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    client = login(teacher)
    client.cookies["django_language"] = "en"
    body = client.get(edit_url(page)).content.decode()
    assert "<h1>Edit the lesson</h1>" in body
    assert "编辑信息" not in body
