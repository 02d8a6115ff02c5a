"""A replaced video restarts processing: a lesson that gets another video
whose processing has not finished goes back to "video processing" (an active
review is cancelled), and nothing submits, approves or publishes it until the
new video is ready — whether the video was replaced in the admin's editor, by
the life-cycle service, or by a script that only saved a revision."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import TaskState, WorkflowState

from catalog import lifecycle
from catalog.models import LessonPage
from media_pipeline.models import Video, VideoStatus
from tests.fixtures_alliance import (
    current_task_state,
    edit_form_data,
    publish,
    submit,
    workflow_action_url,
)
from tests.fixtures_site import make_video

pytestmark = pytest.mark.django_db


def _active_review(page):
    return WorkflowState.objects.active().filter(object_id=str(page.pk)).first()


def _in_review(alliance_users, make_draft, login):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    assert submit(login(teacher), page).status_code == 302
    assert lifecycle.state_of(LessonPage.objects.get(pk=page.pk)) == (
        lifecycle.State.IN_REVIEW
    )
    return LessonPage.objects.get(pk=page.pk)


def _ready(video):
    Video.objects.filter(pk=video.pk).update(status=VideoStatus.READY)


def test_editor_replacing_the_video_of_a_lesson_in_review(
    alliance_users, make_draft, login
):
    page = _in_review(alliance_users, make_draft, login)
    task_state = current_task_state(page)
    new = make_video("transcoding")
    response = login(alliance_users["admin"]).post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        edit_form_data(page, video=new.pk),
    )
    assert response.status_code == 302
    page = LessonPage.objects.get(pk=page.pk)
    assert page.video_id == new.pk
    # Back to video processing: the review is cancelled, nothing is offered.
    assert lifecycle.state_of(page) == lifecycle.State.VIDEO_PROCESSING
    assert _active_review(page) is None
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_CANCELLED
    response = login(alliance_users["math_editor"]).post(
        workflow_action_url(page, "approve", task_state), {}
    )
    assert not LessonPage.objects.get(pk=page.pk).live
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.submit(page, alliance_users["teacher_a"])
    assert _active_review(page) is None

    # Once the new video is ready the teacher submits again.
    _ready(new)
    page = LessonPage.objects.get(pk=page.pk)
    assert lifecycle.state_of(page) == lifecycle.State.READY_TO_SUBMIT
    lifecycle.submit(page, alliance_users["teacher_a"])
    assert _active_review(page) is not None


def test_editor_keeping_the_video_keeps_the_review(alliance_users, make_draft, login):
    page = _in_review(alliance_users, make_draft, login)
    response = login(alliance_users["admin"]).post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        edit_form_data(page, summary="改了简介"),
    )
    assert response.status_code == 302
    assert _active_review(page) is not None


def test_service_replaces_the_video_of_a_draft(alliance_users, make_draft):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    assert lifecycle.state_of(page) == lifecycle.State.READY_TO_SUBMIT
    new = make_video("uploaded")
    lifecycle.replace_video(page, new, teacher)
    page = LessonPage.objects.get(pk=page.pk)
    assert page.video_id == new.pk
    assert page.get_latest_revision_as_object().video_id == new.pk
    assert lifecycle.state_of(page) == lifecycle.State.VIDEO_PROCESSING
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.submit(page, teacher)
    with pytest.raises(ValidationError):
        page.save_revision().publish(skip_permission_checks=True)
    assert not LessonPage.objects.get(pk=page.pk).live


def test_service_replaces_the_video_of_a_lesson_returned_for_changes(
    alliance_users, make_draft, login
):
    page = _in_review(alliance_users, make_draft, login)
    task_state = current_task_state(page)
    login(alliance_users["math_editor"]).post(
        workflow_action_url(page, "reject", task_state), {"comment": "重录"}
    )
    page = LessonPage.objects.get(pk=page.pk)
    assert lifecycle.state_of(page) == lifecycle.State.CHANGES_REQUESTED
    lifecycle.replace_video(page, make_video("probing"), alliance_users["teacher_a"])
    page = LessonPage.objects.get(pk=page.pk)
    assert lifecycle.state_of(page) == lifecycle.State.VIDEO_PROCESSING
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.submit(page, alliance_users["teacher_a"])


def test_published_lesson_keeps_its_live_video_until_the_new_one_is_ready(
    alliance_users, make_draft
):
    teacher = alliance_users["teacher_a"]
    page = publish(make_draft(teacher), alliance_users["admin"])
    old = page.video_id
    new = make_video("transcoding")
    lifecycle.replace_video(page, new, teacher)
    page = LessonPage.objects.get(pk=page.pk)
    # Visitors keep the published version; the new one waits for its video.
    assert page.live and page.video_id == old
    assert lifecycle.state_of(page) == lifecycle.State.PUBLISHED
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.submit(page, teacher)
    with pytest.raises(ValidationError):
        page.get_latest_revision().publish(skip_permission_checks=True)
    assert LessonPage.objects.get(pk=page.pk).video_id == old

    _ready(new)
    page.get_latest_revision().publish(skip_permission_checks=True)
    assert LessonPage.objects.get(pk=page.pk).video_id == new.pk


def test_approve_judges_the_latest_version_not_the_submitted_one(
    alliance_users, make_draft, login
):
    # A published lesson under review again; a script (no editor, no service)
    # saves a version with an unprocessed video. Approving would publish that
    # version: refused, the review stays open and the live video stays.
    teacher, editor = alliance_users["teacher_a"], alliance_users["math_editor"]
    page = publish(make_draft(teacher), alliance_users["admin"])
    old = page.video_id
    assert submit(login(teacher), page).status_code == 302
    task_state = current_task_state(page)
    draft = page.get_latest_revision_as_object()
    draft.video = make_video("transcoding")
    draft.save_revision(user=teacher)

    response = login(editor).post(workflow_action_url(page, "approve", task_state), {})
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_IN_PROGRESS
    assert LessonPage.objects.get(pk=page.pk).video_id == old

    _ready(draft.video)
    response = login(editor).post(workflow_action_url(page, "approve", task_state), {})
    assert response.url != reverse("wagtailadmin_home")
    assert LessonPage.objects.get(pk=page.pk).video_id == draft.video.pk


def test_replacing_with_a_ready_video_needs_no_processing(alliance_users, make_draft):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    lifecycle.replace_video(page, make_video("ready"), teacher)
    page = LessonPage.objects.get(pk=page.pk)
    assert lifecycle.state_of(page) == lifecycle.State.READY_TO_SUBMIT
    lifecycle.submit(page, teacher)
    assert _active_review(page) is not None
