"""The admin screens of each role render (in Chinese) and link together."""

import pytest
from django.urls import reverse

from tests.fixtures_alliance import submit

pytestmark = pytest.mark.django_db


def test_editor_screens(alliance_users, make_draft, login):
    teacher, editor = alliance_users["teacher_a"], alliance_users["math_editor"]
    page = make_draft(teacher, title="勾股定理")
    submit(login(teacher), page)
    client = login(editor)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "待我审核（1）" in home and "勾股定理" in home
    assert "审核队列" in home  # menu item
    # The editor reaches the page editor while it is in review in scope.
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert edit.status_code == 200
    assert "退回修改" in edit.content.decode() or "Return with comments" in (
        edit.content.decode()
    )
    entry = client.get(reverse("alliance:entry", args=[page.pk])).content.decode()
    assert "选题与知识点" in entry  # the rubric form
    collections = client.get(reverse("wagtailsnippets_alliance_featuredcollection:add"))
    assert collections.status_code == 200
    # Scopes and rubrics are the administrators' to change.
    response = client.get(reverse("wagtailsnippets_alliance_editorscope:add"))
    assert response.status_code in (302, 403)


def test_teacher_has_no_review_menu(alliance_users, login):
    client = login(alliance_users["teacher_a"])
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "待我审核" not in home
    queue = client.get(reverse("alliance:review_queue"))
    assert queue.status_code == 200
    assert "暂无待审核的资源" in queue.content.decode()


def test_administrator_manages_scopes_rubrics_and_workflow(alliance_users, login):
    client = login(alliance_users["admin"])
    for name in (
        "wagtailsnippets_alliance_editorscope:list",
        "wagtailsnippets_alliance_editorscope:add",
        "wagtailsnippets_alliance_rubric:list",
        "wagtailsnippets_alliance_featuredcollection:list",
        "wagtailadmin_workflows:index",
        "wagtailadmin_workflows:task_index",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    listing = client.get(reverse("wagtailadmin_workflows:index")).content.decode()
    assert "微课审核" in listing
