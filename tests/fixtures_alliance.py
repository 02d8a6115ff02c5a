"""Fixtures owned by the alliance work; loaded from tests/conftest.py.

The four groups, their permissions, the default rubric and the "微课审核"
workflow come from alliance's data migration, so tests see exactly what a
fresh installation has.
"""

import pytest


@pytest.fixture
def alliance_setup(taxonomy):
    """Groups, rubric and workflow of the data migration, re-created if a
    transactional test elsewhere flushed the database."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name="教师").exists():
        migration = importlib.import_module(
            "alliance.migrations.0002_roles_rubric_workflow"
        )
        migration.forwards(apps, None)


@pytest.fixture
def alliance_users(alliance_setup):
    """teacher_a, teacher_b, math_editor (初中数学), chinese_editor (初中语文),
    physics_editor (初中物理), bureau, admin (管理员 group, not superuser)."""
    from django.contrib.auth.models import Group

    from alliance.models import EditorScope
    from alliance.roles import ADMINISTRATOR, BUREAU, EDITOR, TEACHER
    from catalog.models import Stage, Subject
    from tests.factories import UserFactory

    def make(username, group, first_name=""):
        user = UserFactory(username=username, first_name=first_name or username)
        user.groups.add(Group.objects.get(name=group))
        return user

    users = {
        "teacher_a": make("teacher_a", TEACHER, "王老师"),
        "teacher_b": make("teacher_b", TEACHER, "李老师"),
        "math_editor": make("math_editor", EDITOR, "数学编辑"),
        "chinese_editor": make("chinese_editor", EDITOR, "语文编辑"),
        "physics_editor": make("physics_editor", EDITOR, "物理编辑"),
        "bureau": make("bureau_user", BUREAU, "电教馆"),
        "admin": make("alliance_admin", ADMINISTRATOR, "管理员"),
    }
    junior = Stage.objects.get(code="junior")
    for key, subject in [
        ("math_editor", "maths"),
        ("chinese_editor", "chinese"),
        ("physics_editor", "physics"),
    ]:
        EditorScope.objects.create(
            user=users[key], stage=junior, subject=Subject.objects.get(code=subject)
        )
    return users


@pytest.fixture
def make_draft(alliance_setup):
    """make_draft(owner, subject="maths", title=...) → an unpublished LessonPage
    owned by `owner`, with a ready video and one saved revision, as the admin's
    create view leaves it."""
    from catalog.models import LessonPage
    from tests.factories import subject_page

    counter = {"n": 0}

    def make(owner, subject="maths", stage="junior", title=None):
        from tests.fixtures_site import make_video

        counter["n"] += 1
        page = LessonPage(
            title=title or f"草稿微课 {counter['n']}",
            slug=f"draft-{counter['n']}",
            academic_year=2025,
            author=owner,
            owner=owner,
            live=False,
            resource_type="micro_lesson",
            # Ready: only a lesson whose video is ready may be submitted
            # (catalog/lifecycle.py).
            video=make_video("ready"),
        )
        subject_page(stage, subject).add_child(instance=page)
        page.save_revision(user=owner)
        return LessonPage.objects.get(pk=page.pk)

    return make


@pytest.fixture
def login(client):
    """login(user) → the test client logged in as that user."""

    def do(user):
        client.logout()
        client.force_login(user)
        return client

    return do


def edit_form_data(page, **extra):
    """POST data for Wagtail's page edit view of a LessonPage (crafted by hand)."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    data = {
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "academic_year": page.academic_year,
        "licence": page.licence,
        "attachments": inline_formset([]),
        "chapters": inline_formset([]),
        "comments": inline_formset([]),
    }
    if getattr(page, "video_id", None):
        data["video"] = page.video_id
    data.update(extra)
    return nested_form_data(data)


def current_task_state(page):
    from wagtail.models import WorkflowState

    state = WorkflowState.objects.active().get(object_id=str(page.pk))
    return state.current_task_state


def log_actions(page):
    """Actions of the page's Wagtail log entries, oldest first."""
    from wagtail.models import PageLogEntry

    return list(
        PageLogEntry.objects.filter(page_id=page.pk)
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )


def submit(client, page, **extra):
    """Submit `page` for review from Wagtail's edit view, as `client`'s user."""
    from django.urls import reverse

    return client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        edit_form_data(page, **extra, **{"action-submit": "1"}),
    )


def workflow_action_url(page, action, task_state):
    from django.urls import reverse

    return reverse(
        "wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk]
    )


def publish(page, user):
    """Setting the scene, not testing permissions: publish as `user` directly."""
    from catalog.models import LessonPage

    page.save_revision(user=user).publish(user=user, skip_permission_checks=True)
    return LessonPage.objects.get(pk=page.pk)


@pytest.fixture
def media(settings, tmp_path):
    """MEDIA_ROOT in the test's own folder (stored documents and captions)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def latest_workflow_state(page):
    """The page's newest workflow state (any status), or None."""
    from wagtail.models import WorkflowState

    return WorkflowState.objects.filter(object_id=str(page.pk)).order_by("-pk").first()
