"""提交审核 from 我的微课: the site's own path into review (catalog.lifecycle.submit),
guarded like every other path; only the entry's owner or author may take it."""

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState

from media_pipeline.models import Video, VideoStatus
from tests.fixtures_alliance import current_task_state, workflow_action_url
from tests.fixtures_site import make_video

pytestmark = pytest.mark.django_db


def submit_url(page):
    return reverse("portal:submit", args=[page.pk])


def _state(page):
    return WorkflowState.objects.filter(object_id=str(page.pk)).first()


def test_owner_submits_a_ready_draft(alliance_users, make_draft, login):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    client = login(teacher)
    mine = client.get(reverse("portal:my")).content.decode()
    assert f'action="{submit_url(page)}"' in mine

    response = client.post(submit_url(page), follow=True)

    assert response.redirect_chain == [(reverse("portal:my"), 302)]
    assert _state(page).status == WorkflowState.STATUS_IN_PROGRESS
    assert "已提交审核。" in response.content.decode()
    # In review: no second submission, and no button for one.
    assert f'action="{submit_url(page)}"' not in response.content.decode()
    again = client.post(submit_url(page), follow=True)
    assert "该资源已在审核中。" in again.content.decode()
    assert WorkflowState.objects.filter(object_id=str(page.pk)).count() == 1


@pytest.mark.parametrize("status", ["rejected", "transcoding"])
def test_a_lesson_whose_video_is_not_ready_is_not_submitted(
    status, alliance_users, make_draft, login
):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    page.video = make_video(status, uploaded_by=teacher)
    page.save()
    page.save_revision(user=teacher)
    client = login(teacher)
    assert f'action="{submit_url(page)}"' not in client.get("/my/").content.decode()

    response = client.post(submit_url(page), follow=True)

    assert _state(page) is None
    assert "微课视频" in response.content.decode()


def test_another_teacher_cannot_submit(alliance_users, make_draft, login):
    page = make_draft(alliance_users["teacher_a"])
    client = login(alliance_users["teacher_b"])
    assert client.post(submit_url(page)).status_code == 403
    for huge in (2**63, 10**40):
        assert client.post(f"/my/lessons/{huge}/submit/").status_code == 404
        assert client.get(f"/my/lessons/{huge}/preview/").status_code == 404
        assert client.get(f"/lessons/{huge}/status/").status_code == 404
    assert _state(page) is None


def test_submit_needs_post_and_login(alliance_users, make_draft, client):
    page = make_draft(alliance_users["teacher_a"])
    response = client.post(submit_url(page))
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(alliance_users["teacher_a"])
    assert client.get(submit_url(page)).status_code == 405
    assert _state(page) is None


def test_returned_lesson_is_resubmitted_after_a_new_video(
    alliance_users, make_draft, login
):
    teacher, editor = alliance_users["teacher_a"], alliance_users["math_editor"]
    page = make_draft(teacher)
    login(teacher).post(submit_url(page))
    task_state = current_task_state(page)
    login(editor).post(
        workflow_action_url(page, "reject", task_state), {"comment": "请重录"}
    )
    assert _state(page).status == WorkflowState.STATUS_NEEDS_CHANGES

    # A replacement video still transcoding: not yet.
    page.video = make_video("transcoding", uploaded_by=teacher)
    page.save()
    page.save_revision(user=teacher)
    client = login(teacher)
    client.post(submit_url(page))
    assert _state(page).status == WorkflowState.STATUS_NEEDS_CHANGES

    Video.objects.filter(pk=page.video_id).update(status=VideoStatus.READY)
    response = client.post(submit_url(page), follow=True)
    assert "已提交审核。" in response.content.decode()
    assert _state(page).status == WorkflowState.STATUS_IN_PROGRESS
