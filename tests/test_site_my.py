"""我的微课: my entries with their status, live status, upload → draft lesson."""

import uuid

import pytest

from tests.factories import UserFactory
from tests.fixtures_site import make_lessons, make_video

pytestmark = pytest.mark.django_db


def _workflow():
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowTask

    task = GroupApprovalTask.objects.create(name="学科审核")
    workflow = Workflow.objects.create(name="测试审核流程")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def test_my_page_needs_login(client, taxonomy):
    response = client.get("/my/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_my_page_lists_own_entries_with_status_and_comment(client, kp_tree):
    me, editor = UserFactory(), UserFactory(is_superuser=True)
    published = make_lessons(1, author=me, title="已发布的课")[0]
    assert published.live
    draft = make_lessons(1, author=me, title="草稿课", live=False)[0]
    in_review = make_lessons(1, author=me, title="审核中的课", live=False)[0]
    returned = make_lessons(
        1,
        author=me,
        title="被退回的课",
        live=False,
        video=make_video("transcoding", progress=40),
    )[0]
    make_lessons(1, title="别人的课")
    workflow = _workflow()
    for page in (in_review, returned):
        page.save_revision(user=me)
        workflow.start(page, me)
    returned.current_workflow_state.current_task_state.specific.reject(
        user=editor, comment="请补充字幕和板书"
    )

    client.force_login(me)
    html = client.get("/my/").content.decode()
    assert "别人的课" not in html

    def row(title):
        return html.split(title)[1].split("</tr>")[0]

    assert "已发布" in row("已发布的课")
    assert "草稿" in row("草稿课")
    assert "审核中" in row("审核中的课")
    assert "已退回修改" in row("被退回的课")
    assert "请补充字幕和板书" in row("被退回的课")
    assert "转码中" in row("被退回的课") and 'value="40"' in row("被退回的课")
    assert "data-poll" in html
    assert str(draft.pk) in html


def test_status_endpoint_reports_video_progress_and_is_private(client, taxonomy):
    me = UserFactory()
    video = make_video("transcoding", progress=55.5)
    page = make_lessons(1, author=me, video=video, live=False)[0]
    client.force_login(me)
    data = client.get(f"/lessons/{page.pk}/status/").json()
    assert data["status"] == "draft"
    assert data["video"] == {
        "state": "processing",
        "state_label": "转码中",
        "status": "transcoding",
        "progress": 55.5,
        "reason": "",
        "ready": False,
    }
    video.status, video.reason = "rejected", "resolution_too_low"
    video.reason_params = {"width": 320, "height": 240, "min": 480}
    video.reason_detail = "ffprobe log for administrators"
    video.save()
    data = client.get(f"/lessons/{page.pk}/status/").json()
    assert data["video"]["state"] == "rejected"
    # One sentence from the code and its numbers; the log is not shown.
    assert data["video"]["reason"] == "分辨率太低：320×240，短边至少需要 480 像素。"

    client.force_login(UserFactory())
    response = client.get(f"/lessons/{page.pk}/status/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def _finished_upload(user, status="complete"):
    from ingest.models import Upload

    return Upload.objects.create(
        owner=user,
        filename="lesson.mp4",
        length=100,
        offset=100,
        status=status,
        storage_name="originals/lesson.mp4",
        # As ingest makes it: the video of an upload is its owner's.
        video=make_video("uploaded", uploaded_by=user),
    )


def test_upload_page_and_knowledge_point_picker(client, kp_tree):
    client.force_login(UserFactory())
    html = client.get("/my/upload/").content.decode()
    assert 'data-tus-endpoint="/ingest/tus/"' in html
    assert "/static/weike/upload.js" in html
    assert 'data-stage="junior" data-subject="maths"' in html
    picker = client.get(
        "/my/knowledge-points/?stage=junior&subject=maths"
    ).content.decode()
    # Nested: 一次函数 holds its two children.
    assert picker.index("一次函数<") < picker.index("一次函数的图像")
    assert f'value="{kp_tree["graph"].pk}"' in picker


def test_finishing_an_upload_creates_a_draft_lesson(client, kp_tree):
    from catalog.models import LessonPage
    from tests.factories import subject_page

    me = UserFactory()
    upload = _finished_upload(me)
    client.force_login(me)
    response = client.post(
        "/my/upload/finish/",
        {
            "upload": str(upload.pk),
            "title": "一次函数的图像画法",
            "summary": "两点法画一次函数的图像。",
            "subject_page": subject_page().pk,
            "knowledge_points": [kp_tree["graph"].pk, kp_tree["linear"].pk],
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    page = LessonPage.objects.get(pk=data["id"])
    assert not page.live
    assert page.owner == me and page.author == me
    assert page.video_id == upload.video_id
    assert set(page.knowledge_points.all()) == {kp_tree["graph"], kp_tree["linear"]}
    assert page.get_parent().pk == subject_page().pk
    assert data["status_url"] == f"/lessons/{page.pk}/status/"
    status = client.get(data["status_url"]).json()
    assert status["video"]["state"] == "processing"
    assert "一次函数的图像画法" in client.get("/my/").content.decode()


def test_finishing_rejects_foreign_uploads_and_wrong_knowledge_points(client, kp_tree):
    from catalog.models import KnowledgePoint, Subject
    from tests.factories import subject_page

    me = UserFactory()
    physics_kp = KnowledgePoint.objects.create(
        code="T-PH",
        name="光的反射",
        stage=kp_tree["linear"].stage,
        subject=Subject.objects.get(code="physics"),
    )
    client.force_login(me)
    foreign = _finished_upload(UserFactory())
    mine_rejected = _finished_upload(me, status="rejected")
    base = {"title": "课", "subject_page": subject_page().pk}
    for upload_id in (foreign.pk, mine_rejected.pk, uuid.uuid4()):
        response = client.post("/my/upload/finish/", {**base, "upload": upload_id})
        assert response.status_code == 400
        assert "upload" in response.json()["errors"]
    response = client.post(
        "/my/upload/finish/",
        {
            **base,
            "upload": _finished_upload(me).pk,
            "knowledge_points": [physics_kp.pk],
        },
    )
    assert response.status_code == 400
    assert "光的反射" in response.json()["errors"]["knowledge_points"][0]["message"]
