"""The life-cycle guards: a lesson whose video is missing, still processing or
rejected is never submitted, approved or published, whatever the path (the
admin's edit view, the review workflow, the site's upload form, a command
publishing a revision); a ready video lets it through."""

import uuid

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
    submit,
    workflow_action_url,
)
from tests.fixtures_site import make_video

pytestmark = pytest.mark.django_db

NOT_READY = ["rejected", "failed", "transcoding", "uploaded", None]


def _lesson(make_draft, owner, status):
    """A draft lesson with a video in `status` (None: no video)."""
    page = make_draft(owner)
    page.video = make_video(status) if status else None
    page.save()
    page.save_revision(user=owner)
    return LessonPage.objects.get(pk=page.pk)


def _in_review(page):
    return WorkflowState.objects.active().filter(object_id=str(page.pk)).exists()


def test_status_values_are_media_pipelines():
    assert lifecycle.VIDEO_READY == VideoStatus.READY
    assert lifecycle.VIDEO_REFUSED == {VideoStatus.REJECTED, VideoStatus.FAILED}
    assert set(VideoStatus.values) - {VideoStatus.READY} - set(
        lifecycle.VIDEO_REFUSED
    ) == {"uploaded", "probing", "transcoding"}


# --- The admin's edit view ------------------------------------------------------


def _make_ready(page):
    """The video becomes ready (a missing one is uploaded): then it may pass."""
    if page.video_id:
        Video.objects.filter(pk=page.video_id).update(status=VideoStatus.READY)
    else:
        page.video = make_video("ready")
        page.save()
        page.save_revision()
    return LessonPage.objects.get(pk=page.pk)


@pytest.mark.parametrize("status", NOT_READY)
def test_edit_view_refuses_submit(alliance_users, make_draft, login, status):
    teacher = alliance_users["teacher_a"]
    page = _lesson(make_draft, teacher, status)
    response = submit(login(teacher), page)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert not _in_review(page)

    page = _make_ready(page)
    assert submit(login(teacher), page).status_code == 302
    assert _in_review(page)


@pytest.mark.parametrize("status", NOT_READY)
def test_edit_view_refuses_publish(alliance_users, make_draft, login, status):
    admin = alliance_users["admin"]
    page = _lesson(make_draft, alliance_users["teacher_a"], status)
    response = login(admin).post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        edit_form_data(page, **{"action-publish": "1"}),
    )
    assert response.status_code == 302
    assert not LessonPage.objects.get(pk=page.pk).live

    page = _make_ready(page)
    response = login(admin).post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        edit_form_data(page, **{"action-publish": "1"}),
    )
    assert response.status_code == 302
    assert LessonPage.objects.get(pk=page.pk).live


def test_edit_view_judges_the_posted_video(alliance_users, make_draft, login):
    # The stored video is ready, the POST swaps in a rejected one.
    admin = alliance_users["admin"]
    page = _lesson(make_draft, alliance_users["teacher_a"], "ready")
    rejected = make_video("rejected")
    response = login(admin).post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        edit_form_data(page, video=rejected.pk, **{"action-publish": "1"}),
    )
    assert response.status_code == 302
    assert not LessonPage.objects.get(pk=page.pk).live


# --- The review workflow ----------------------------------------------------------


@pytest.mark.parametrize("status", ["rejected", "transcoding"])
def test_workflow_approve_refused_once_video_not_ready(
    alliance_users, make_draft, login, status
):
    teacher, editor = alliance_users["teacher_a"], alliance_users["math_editor"]
    page = _lesson(make_draft, teacher, "ready")
    assert submit(login(teacher), page).status_code == 302
    assert _in_review(page)
    # The video is re-checked (or replaced) while the lesson waits for review.
    Video.objects.filter(pk=page.video_id).update(status=status)
    task_state = current_task_state(page)
    response = login(editor).post(workflow_action_url(page, "approve", task_state), {})
    # Wagtail's admin answers a refused action with a redirect to its home.
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_IN_PROGRESS
    assert not LessonPage.objects.get(pk=page.pk).live
    # The editor's queue says why.
    queue = login(editor).get(reverse("alliance:review_queue")).content.decode()
    assert "video-not-ready" in queue

    _make_ready(page)
    queue = login(editor).get(reverse("alliance:review_queue")).content.decode()
    assert "video-not-ready" not in queue
    response = login(editor).post(workflow_action_url(page, "approve", task_state), {})
    assert response.status_code == 302
    assert response.url != reverse("wagtailadmin_home")
    assert LessonPage.objects.get(pk=page.pk).live


@pytest.mark.parametrize("status", ["rejected", "probing", None])
def test_workflow_start_refused_on_any_path(alliance_users, make_draft, status):
    # e.g. a script calling Workflow.start directly.
    teacher = alliance_users["teacher_a"]
    page = _lesson(make_draft, teacher, status)
    with pytest.raises(ValidationError):
        page.get_workflow().start(page, teacher)
    assert not _in_review(page)


# --- Commands: revision.publish() -------------------------------------------------


@pytest.mark.parametrize("status", NOT_READY)
def test_revision_publish_refused(alliance_users, make_draft, status):
    page = _lesson(make_draft, alliance_users["teacher_a"], status)
    with pytest.raises(ValidationError) as refused:
        page.save_revision().publish(skip_permission_checks=True)
    assert "video" in refused.value.message_dict
    assert not LessonPage.objects.get(pk=page.pk).live

    page = _make_ready(page)
    page.save_revision().publish(skip_permission_checks=True)
    assert LessonPage.objects.get(pk=page.pk).live


# --- The site's upload form -----------------------------------------------------


def _finished_upload(owner, video):
    from ingest.models import Upload, UploadStatus

    return Upload.objects.create(
        id=uuid.uuid4(),
        owner=owner,
        length=10,
        offset=10,
        status=UploadStatus.COMPLETE,
        storage_name="uploads/x.mp4",
        video=video,
    )


def _finish(client, upload, **extra):
    from tests.factories import subject_page

    return client.post(
        reverse("portal:upload_finish"),
        {
            "upload": str(upload.pk),
            "title": "上传的微课",
            "subject_page": subject_page().pk,
            **extra,
        },
    )


@pytest.mark.parametrize("status", ["rejected", "transcoding", "uploaded"])
def test_upload_form_refuses_submit(alliance_users, client, status):
    teacher = alliance_users["teacher_a"]
    client.force_login(teacher)
    upload = _finished_upload(teacher, make_video(status, uploaded_by=teacher))
    response = _finish(client, upload, submit_for_review="1")
    assert response.status_code == 400
    assert "submit_for_review" in response.json()["errors"]
    assert not WorkflowState.objects.exists()

    Video.objects.filter(pk=upload.video_id).update(status=VideoStatus.READY)
    response = _finish(client, upload, submit_for_review="1")
    assert response.status_code == 201
    assert _in_review(LessonPage.objects.get(pk=response.json()["id"]))


def test_upload_form_does_not_tick_submit(alliance_users, client):
    client.force_login(alliance_users["teacher_a"])
    html = client.get(reverse("portal:upload")).content.decode()
    box = html[html.index('name="submit_for_review"') :].split(">", 1)[0]
    assert "checked" not in box
