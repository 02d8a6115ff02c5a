"""The browse tree, its cached fragments and the knowledge-point page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.selectors import chinese_number, subject_tree
from tests.fixtures_site import make_lessons, make_video

pytestmark = pytest.mark.django_db


def _count_after(html, label):
    """The count badge shown right after a node label in the tree."""
    match = re.search(
        re.escape(label) + r'</a>\s*<span class="count">(\d+)</span>', html
    ) or re.search(
        re.escape(label) + r'</span>\s*<span class="count"[^>]*>(\d+)</span>', html
    )
    assert match, f"no count for {label}"
    return int(match.group(1))


def test_tree_counts_include_descendants_and_mark_empty_nodes(
    client, kp_tree, clean_cache
):
    make_lessons(2, knowledge_points=[kp_tree["graph"]])
    make_lessons(1, knowledge_points=[kp_tree["linear"]])
    html = client.get("/browse/junior/maths/").content.decode()

    assert _count_after(html, "一次函数的图像") == 2
    assert _count_after(html, "一次函数") == 3  # itself + its child's lessons
    assert _count_after(html, "正比例函数") == 0
    assert _count_after(html, "第十九章 一次函数") == 3
    assert _count_after(html, "人教版 八年级下册") == 3
    # Empty nodes are marked, the unit without lessons too.
    assert re.search(
        r'class="kp empty"[^>]*><a href="/browse/kp/\d+/">正比例函数', html
    )
    assert re.search(r'class="node unit empty"', html)
    assert "暂无" in html
    # Units come in textbook order (第十七章 before 第十九章), not creation order.
    assert html.index("第十七章 勾股定理") < html.index("第十九章 一次函数")


def test_subject_tree_selector_runs_a_fixed_number_of_queries(kp_tree):
    from catalog.models import Stage, Subject

    stage, subject = Stage.objects.get(code="junior"), Subject.objects.get(code="maths")
    make_lessons(2, knowledge_points=[kp_tree["graph"]])
    with CaptureQueriesContext(connection) as few:
        subject_tree(stage, subject)
    make_lessons(8, knowledge_points=[kp_tree["graph"], kp_tree["prop"]])
    with CaptureQueriesContext(connection) as many:
        tree = subject_tree(stage, subject)
    assert len(many) == len(few) <= 8
    assert tree["count"] == 10


def test_tree_fragment_is_cached_and_invalidated_on_publish(
    client,
    kp_tree,
    clean_cache,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    make_lessons(1, knowledge_points=[kp_tree["graph"]])
    first = client.get("/browse/junior/maths/").content.decode()
    assert _count_after(first, "一次函数的图像") == 1
    # Cached: the tree costs no query the second time (stage, subject, page).
    with django_assert_max_num_queries(4):
        client.get("/browse/junior/maths/")

    # A page published through Wagtail bumps the version once the publish is
    # committed (catalog.signals.entry_changed): new counts show.
    new = make_lessons(1, knowledge_points=[kp_tree["graph"]], video=make_video())[0]
    with django_capture_on_commit_callbacks(execute=True):
        new.save_revision().publish()
    html = client.get("/browse/junior/maths/").content.decode()
    assert _count_after(html, "一次函数的图像") == 2

    # Unpublishing takes it off again.
    with django_capture_on_commit_callbacks(execute=True):
        new.unpublish()
    html = client.get("/browse/junior/maths/").content.decode()
    assert _count_after(html, "一次函数的图像") == 1


def test_browse_index_lists_stages_and_subjects_with_counts(
    client, kp_tree, clean_cache
):
    make_lessons(2, knowledge_points=[kp_tree["graph"]])
    response = client.get("/browse/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>按知识点浏览" in html
    assert re.search(
        r'href="/browse/junior/maths/">数学</a> <span class="count">2</span>', html
    )
    assert "暂无资源" in html  # every other subject is still empty


def test_unknown_stage_or_subject_is_404(client, taxonomy):
    assert client.get("/browse/nowhere/maths/").status_code == 404
    # Physics is not taught in primary school.
    assert client.get("/browse/primary/physics/").status_code == 404


def test_knowledge_point_page_lists_lessons_of_descendants(client, kp_tree):
    on_child = make_lessons(1, knowledge_points=[kp_tree["graph"]], title="图像课")
    on_self = make_lessons(1, knowledge_points=[kp_tree["linear"]], title="概念课")
    make_lessons(1, knowledge_points=[kp_tree["pythag"]], title="勾股课")
    response = client.get(f"/browse/kp/{kp_tree['linear'].pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert on_child[0].title in html and on_self[0].title in html
    assert "勾股课" not in html
    # Breadcrumb shows the ancestors; children with their counts.
    assert f'href="/browse/kp/{kp_tree["root"].pk}/">函数</a>' in html
    assert re.search(r"正比例函数</a> <span class=\"count\">0</span>", html)

    empty = client.get(f"/browse/kp/{kp_tree['prop'].pk}/").content.decode()
    assert "这个知识点还没有微课" in empty


def test_knowledge_point_page_has_no_n_plus_one(
    client, kp_tree, django_assert_max_num_queries
):
    make_lessons(3, knowledge_points=[kp_tree["graph"]])
    url = f"/browse/kp/{kp_tree['linear'].pk}/"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    make_lessons(7, knowledge_points=[kp_tree["graph"]])
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.content.decode().count('class="card entry"') == 10


def test_subject_page_lists_and_paginates_without_n_plus_one(
    client, kp_tree, django_assert_max_num_queries
):
    from tests.factories import subject_page

    make_lessons(3, knowledge_points=[kp_tree["graph"]])
    url = subject_page().url
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    make_lessons(23, knowledge_points=[kp_tree["graph"]])
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    html = response.content.decode()
    assert html.count('class="card entry"') == 24
    assert "第 1 / 2 页" in html
    assert client.get(url + "?p=2").content.decode().count('class="card entry"') == 2


@pytest.mark.parametrize(
    ("text", "number"), [("七", 7), ("十", 10), ("十九", 19), ("二十", 20), ("12", 12)]
)
def test_chinese_chapter_numbers(text, number):
    assert chinese_number(text) == number
