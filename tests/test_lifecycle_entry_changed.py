"""One "entry changed" path: every change of an entry sends
catalog.signals.entry_changed once, after commit, and search (here the
database backend), the quota index and the site cache follow from it."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from alliance import services
from catalog.models import KnowledgePoint, Subject
from catalog.signals import entry_changed
from search.selectors import search_lessons
from search.services import rebuild_index
from tests.fixtures_alliance import publish
from tests.fixtures_site import make_lessons, make_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def spy():
    calls = []

    def receiver(sender, page_ids, reason, **kwargs):
        calls.append((reason, list(page_ids)))

    entry_changed.connect(receiver, dispatch_uid="test-spy")
    yield calls
    entry_changed.disconnect(dispatch_uid="test-spy")


def test_each_change_is_announced_once_after_commit(
    alliance_users, make_draft, spy, django_capture_on_commit_callbacks
):
    editor = alliance_users["math_editor"]
    draft = make_draft(alliance_users["teacher_a"])
    with django_capture_on_commit_callbacks(execute=False) as pending:
        page = publish(draft, editor)
    assert spy == []  # nothing before the commit
    for callback in pending:
        callback()
    assert spy == [("publish", [page.pk])]

    steps = [
        ("pick", lambda: services.designate_quality_pick(page, editor, "好")),
        ("revoke", lambda: services.revoke_quality_pick(page, editor, "撤销")),
        ("unpublish", lambda: page.specific.unpublish()),
        ("delete", lambda: page.delete()),
    ]
    for reason, step in steps:
        spy.clear()
        with django_capture_on_commit_callbacks(execute=True):
            step()
        assert spy == [(reason, [page.pk])]


def test_moving_an_entry_is_announced(
    alliance_users, make_draft, spy, django_capture_on_commit_callbacks
):
    from tests.factories import subject_page

    page = publish(make_draft(alliance_users["teacher_a"]), alliance_users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        page.move(subject_page("junior", "physics"), pos="last-child")
    assert spy == [("move", [page.pk])]


def test_taxonomy_rename_announces_its_entries(
    kp_tree, spy, django_capture_on_commit_callbacks
):
    lessons = make_lessons(2, video=make_video())
    with django_capture_on_commit_callbacks(execute=True):
        maths = Subject.objects.get(code="maths")
        maths.synonyms = "算术 数学"
        maths.save()
    assert spy == [("taxonomy", sorted(p.pk for p in lessons))]


def _hit_ids(q):
    return {hit["id"] for hit in search_lessons({"q": q}).hits}


def test_renaming_a_knowledge_point_reindexes_entries_under_it(
    kp_tree, spy, django_capture_on_commit_callbacks
):
    on_child = make_lessons(1, knowledge_points=[kp_tree["graph"]], title="图像课")[0]
    elsewhere = make_lessons(1, knowledge_points=[kp_tree["pythag"]])[0]
    rebuild_index("default")
    root = KnowledgePoint.objects.get(pk=kp_tree["root"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        root.name = "函数与映射"
        root.save()
    assert spy == [("knowledge_point", [on_child.pk])]
    # The entry's document carries its points' ancestors: found by the new name.
    assert _hit_ids("映射") == {on_child.pk}
    assert elsewhere.pk not in _hit_ids("映射")


def test_moving_a_knowledge_point_reindexes_entries_under_it(
    kp_tree, spy, django_capture_on_commit_callbacks
):
    on_child = make_lessons(1, knowledge_points=[kp_tree["graph"]], title="图像课")[0]
    rebuild_index("default")
    assert on_child.pk not in _hit_ids("勾股定理")
    linear = KnowledgePoint.objects.get(pk=kp_tree["linear"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        linear.parent = kp_tree["pythag"]
        linear.save()
    assert spy == [("knowledge_point", [on_child.pk])]
    assert on_child.pk in _hit_ids("勾股定理")


def test_quota_index_and_site_cache_follow_entry_changed(
    alliance_users,
    make_draft,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from dashboard import tasks
    from portal.cache import catalog_version

    settings.DASHBOARD_QUOTA_ENGINE_URL = "http://127.0.0.1:9"
    synced = []
    monkeypatch.setattr(
        tasks,
        "sync_quota_entry_task",
        SimpleNamespace(enqueue=lambda page_id: synced.append(page_id)),
    )
    editor = alliance_users["math_editor"]
    with django_capture_on_commit_callbacks(execute=True):
        page = publish(make_draft(alliance_users["teacher_a"]), editor)
    assert synced == [page.pk]

    # A draft saved without publishing changes no count: no sync.
    synced.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page.summary = "草稿修改"
        page.save_revision(user=editor)
        alliance_users["teacher_b"].save()
    assert synced == []

    before = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):
        services.designate_quality_pick(page, editor, "好", moment=timezone.now())
    assert synced == [page.pk]
    assert catalog_version() > before
