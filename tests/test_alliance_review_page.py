"""The review page (/alliance/entries/<id>/): one screen to watch, score and
decide — approve, request changes, quality pick — then on to the next lesson.
"""

import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from wagtail.models import TaskState, WorkflowState

from alliance.models import Rubric, RubricScore
from catalog import lifecycle
from catalog.models import LessonPage, QualityPick
from media_pipeline.models import Video, VideoStatus
from tests.fixtures_alliance import current_task_state, log_actions, publish
from tests.fixtures_site import make_video

pytestmark = pytest.mark.django_db

NOT_READY = "微课视频仍在处理中，请在处理完成后再提交审核或发布。"
COMMENT_REQUIRED = "退回修改前，请填写需要修改的意见。"
STEP_CHANGED = "您打开本页后，这节微课的审核环节已有变化，请重新查看后再操作。"
HOSTILE_IDS = ["²", "1" * 30, "-1", "+1", "１", "../1", "%2e%2e", "abc", ""]


def url(page):
    return reverse("alliance:entry", args=[page.pk])


@pytest.fixture
def in_review(alliance_users, make_draft):
    """in_review(title=..., subject=..., owner=...) → a draft submitted for review."""

    def make(title, subject="maths", owner=None):
        owner = owner or alliance_users["teacher_a"]
        page = make_draft(owner, subject=subject, title=title)
        lifecycle.submit(page, owner)
        return LessonPage.objects.get(pk=page.pk)

    return make


def decide(client, page, action, comment="", task_state=None, **extra):
    if task_state is None:
        task_state = current_task_state(page).pk
    data = {"action": action, "comment": comment, "task_state": task_state}
    return client.post(url(page), {**data, **extra})


def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_post(client, page, data):
    """POST as a browser does: the token of the page just opened."""
    html = client.get(url(page)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return client.post(url(page), {**data, "csrfmiddlewaretoken": token})


# --- What the page shows ------------------------------------------------------


def test_review_page_shows_player_attachments_and_facts(
    alliance_users, make_draft, login, kp_tree, settings
):
    from wagtail.documents import get_document_model

    from catalog.models import Grade, ResourceAttachment, School

    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher, title="勾股定理的证明")
    document = get_document_model().objects.create(
        title="证明教案", file=ContentFile(b"plan", name="proof-plan.txt")
    )
    ResourceAttachment.objects.create(page=page, document=document, title="配套教案")
    school = School.objects.first()
    grade = Grade.objects.get(name="八年级")
    kp = kp_tree["linear"]
    page = LessonPage.objects.get(pk=page.pk)
    page.school, page.grade = school, grade
    page.knowledge_points.set([kp])
    page.save()
    page.save_revision(user=teacher)
    # A draft's video: the player points at the access-checked HLS playlist.
    master = f"renditions/{page.video_id}/hls/master.m3u8"
    # Ids come back after a rollback; files of an earlier test may be there.
    (settings.MEDIA_ROOT / master).parent.mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / master).write_text("#EXTM3U\n")
    Video.objects.filter(pk=page.video_id).update(hls_master=master)
    lifecycle.submit(page, teacher)

    html = login(alliance_users["math_editor"]).get(url(page)).content.decode()
    hls = reverse("media_pipeline:hls", args=[page.video_id, "master.m3u8"])
    assert f'data-hls="{hls}"' in html and "weike/player.js" in html
    assert "配套教案" in html and document.url in html
    assert kp.name in html and grade.name in html and school.name in html
    assert teacher.first_name in html
    assert 'value="approve"' in html and 'value="request_changes"' in html
    # The playlist itself answers the editor (media_pipeline/access.py).
    assert login(alliance_users["math_editor"]).get(hls).status_code == 200
    # The queue's 审核 button opens this page, not Wagtail's editor.
    queue = login(alliance_users["math_editor"]).get(reverse("alliance:review_queue"))
    assert re.search(rf'href="{url(page)}">审核</a>', queue.content.decode())


def test_scores_stay_in_the_form_after_saving(alliance_users, in_review, login):
    page = in_review("平方根")
    client = login(alliance_users["math_editor"])
    rubric = Rubric.objects.get(name="微课评审量表")
    criteria = list(rubric.criteria.all())
    data = {f"c{c.pk}": str(3 + i) for i, c in enumerate(criteria)}
    response = client.post(
        reverse("alliance:score", args=[page.pk]), {**data, "notes": "节奏偏快"}
    )
    assert response.status_code == 302
    assert response["Location"] == url(page)
    html = client.get(url(page)).content.decode()
    for criterion in criteria:
        value = data[f"c{criterion.pk}"]
        assert re.search(rf'name="c{criterion.pk}" value="{value}"', html) or (
            re.search(rf'value="{value}"[^>]*name="c{criterion.pk}"', html)
        )
    assert "节奏偏快</textarea>" in html
    assert (
        RubricScore.objects.get(page_id=page.pk).reviewer
        == (alliance_users["math_editor"])
    )


# --- Decisions ----------------------------------------------------------------


def test_approve_with_csrf_publishes_and_opens_the_next_item(alliance_users, in_review):
    first = in_review("第一节")
    second = in_review("第二节")
    client = csrf_client(alliance_users["math_editor"])
    # Without the token nothing happens.
    response = client.post(
        url(second),
        {"action": "approve", "task_state": current_task_state(second).pk},
    )
    assert response.status_code == 403
    assert not LessonPage.objects.get(pk=second.pk).live

    response = csrf_post(
        client,
        second,
        {"action": "approve", "task_state": current_task_state(second).pk},
    )
    assert response.status_code == 302
    assert response["Location"] == url(first)
    second = LessonPage.objects.get(pk=second.pk)
    assert second.live
    actions = log_actions(second)
    assert "wagtail.workflow.approve" in actions and "wagtail.publish" in actions
    assert "已通过审核。" in client.get(response["Location"]).content.decode()


def test_request_changes_with_csrf_keeps_the_comment(alliance_users, in_review):
    page = in_review("分式方程")
    client = csrf_client(alliance_users["math_editor"])
    state = current_task_state(page)
    response = csrf_post(
        client,
        page,
        {"action": "request_changes", "comment": "请补充验根", "task_state": state.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("alliance:review_queue")
    state.refresh_from_db()
    assert state.status == TaskState.STATUS_REJECTED
    assert (
        state.comment == "请补充验根"
        and state.finished_by == (alliance_users["math_editor"])
    )
    workflow = WorkflowState.objects.get(object_id=str(page.pk))
    assert workflow.status == WorkflowState.STATUS_NEEDS_CHANGES
    queue = client.get(response["Location"]).content.decode()
    assert "待审核的资源已全部处理完。" in queue


def test_pick_with_csrf(alliance_users, make_draft, in_review):
    live = publish(
        make_draft(alliance_users["teacher_a"], title="已发布"),
        (alliance_users["admin"]),
    )
    waiting = in_review("待审")
    client = csrf_client(alliance_users["math_editor"])
    response = csrf_post(client, live, {"action": "pick", "comment": "例题典型"})
    assert response.status_code == 302
    assert response["Location"] == url(waiting)
    pick = QualityPick.objects.get(page_id=live.pk)
    assert pick.picked_by == alliance_users["math_editor"]
    assert "alliance.quality_pick" in log_actions(live)


def test_pick_of_a_live_lesson_in_review_stays_on_its_page(
    alliance_users, make_draft, login
):
    teacher = alliance_users["teacher_a"]
    page = publish(make_draft(teacher, title="修订中"), alliance_users["admin"])
    page.summary = "补充了例题"
    page.save_revision(user=teacher)
    lifecycle.submit(page, teacher)
    client = login(alliance_users["math_editor"])
    response = decide(client, page, "pick", comment="精品")
    assert response.status_code == 302 and response["Location"] == url(page)
    assert QualityPick.objects.filter(page_id=page.pk).exists()
    assert current_task_state(page).status == TaskState.STATUS_IN_PROGRESS


def test_request_changes_without_comment_is_refused_and_nothing_lost(
    alliance_users, in_review, login
):
    page = in_review("因式分解")
    client = login(alliance_users["math_editor"])
    state = current_task_state(page)
    response = decide(client, page, "request_changes", comment="   ")
    assert response.status_code == 400
    html = response.content.decode()
    assert COMMENT_REQUIRED in html
    # The step the reviewer saw stays in the form, ready for a second try.
    assert f'name="task_state" value="{state.pk}"' in html
    state.refresh_from_db()
    assert state.status == TaskState.STATUS_IN_PROGRESS


def test_refused_decision_keeps_the_typed_comment(alliance_users, in_review, login):
    page = in_review("整式乘法")
    client = login(alliance_users["math_editor"])
    response = decide(client, page, "approve", comment="讲得很好", task_state="²")
    assert response.status_code == 400
    html = response.content.decode()
    assert STEP_CHANGED in html and "讲得很好</textarea>" in html
    # The page now carries the current step: looked at again, it can be decided.
    state = current_task_state(page)
    assert f'name="task_state" value="{state.pk}"' in html
    assert decide(client, page, "approve", task_state=state.pk).status_code == 302
    assert LessonPage.objects.get(pk=page.pk).live


def test_approve_of_a_lesson_whose_video_is_not_ready_is_refused(
    alliance_users, in_review, login
):
    page = in_review("视频处理中")
    Video.objects.filter(pk=page.video_id).update(status=VideoStatus.TRANSCODING)
    client = login(alliance_users["math_editor"])
    html = client.get(url(page)).content.decode()
    assert 'value="approve"' not in html and NOT_READY in html
    response = decide(client, page, "approve")
    assert response.status_code == 400
    assert NOT_READY in response.content.decode()
    assert not LessonPage.objects.get(pk=page.pk).live
    assert current_task_state(page).status == TaskState.STATUS_IN_PROGRESS


def test_next_item_follows_the_queue_order(alliance_users, in_review, login):
    # The queue lists the newest submission first: c, b, a.
    a, b, c = in_review("甲"), in_review("乙"), in_review("丙")
    client = login(alliance_users["math_editor"])
    response = decide(client, b, "approve")
    assert response["Location"] == url(a)  # the one after b
    response = decide(client, a, "request_changes", comment="再改改")
    assert response["Location"] == url(c)  # a was last: back to the first left
    response = decide(client, c, "approve")
    assert response["Location"] == reverse("alliance:review_queue")


def test_next_item_skips_entries_outside_the_scope(alliance_users, in_review, login):
    maths = in_review("数学一")
    in_review("语文一", subject="chinese")
    other = in_review("数学二")
    client = login(alliance_users["math_editor"])
    response = decide(client, other, "approve")
    assert response["Location"] == url(maths)


# --- Who may act --------------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "request_changes", "pick"])
@pytest.mark.parametrize("who", ["chinese_editor", "teacher_a", "teacher_b", "bureau"])
def test_others_are_refused_for_every_post(
    alliance_users, in_review, login, who, action
):
    page = in_review("一次函数")
    state = current_task_state(page)
    client = login(alliance_users[who])
    response = decide(client, page, action, comment="越权", task_state=state.pk)
    assert response.status_code == 403
    state.refresh_from_db()
    assert state.status == TaskState.STATUS_IN_PROGRESS
    assert not QualityPick.objects.filter(page_id=page.pk).exists()


def test_out_of_scope_editor_and_other_teacher_cannot_view(
    alliance_users, in_review, login, client
):
    page = in_review("二次函数")
    assert login(alliance_users["chinese_editor"]).get(url(page)).status_code == 403
    assert login(alliance_users["teacher_b"]).get(url(page)).status_code == 403
    client.logout()
    response = client.get(url(page))
    assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.post(url(page), {"action": "approve"})
    assert response.status_code == 302
    assert current_task_state(page).status == TaskState.STATUS_IN_PROGRESS


def test_owner_sees_the_page_without_decision_buttons(alliance_users, in_review, login):
    page = in_review("我的微课")
    html = login(alliance_users["teacher_a"]).get(url(page)).content.decode()
    assert "我的微课" in html and 'value="approve"' not in html


def test_smuggled_task_state_of_another_entry_is_refused(
    alliance_users, in_review, login
):
    mine = in_review("数学题")
    theirs = in_review("语文题", subject="chinese")
    client = login(alliance_users["math_editor"])
    response = decide(client, mine, "approve", task_state=current_task_state(theirs).pk)
    assert response.status_code == 400
    assert STEP_CHANGED in response.content.decode()
    assert current_task_state(theirs).status == TaskState.STATUS_IN_PROGRESS
    assert current_task_state(mine).status == TaskState.STATUS_IN_PROGRESS


@pytest.mark.parametrize("bad", HOSTILE_IDS)
def test_hostile_task_state_ids_are_refused(alliance_users, in_review, login, bad):
    page = in_review("勾股")
    client = login(alliance_users["math_editor"])
    response = decide(client, page, "approve", task_state=bad)
    assert response.status_code == 400
    assert STEP_CHANGED in response.content.decode()
    assert not LessonPage.objects.get(pk=page.pk).live


@pytest.mark.parametrize("bad", ["delete", "publish", "", "approve\x00", "通过"])
def test_unknown_actions_are_refused(alliance_users, in_review, login, bad):
    page = in_review("函数")
    response = decide(login(alliance_users["math_editor"]), page, bad)
    assert response.status_code == 400
    assert "请选择通过、退回修改或评为精品。" in response.content.decode()
    assert current_task_state(page).status == TaskState.STATUS_IN_PROGRESS


@pytest.mark.parametrize(
    "path", ["/alliance/entries/" + "9" * 30 + "/", "/alliance/entries/²/"]
)
def test_hostile_page_ids(alliance_users, login, path):
    client = login(alliance_users["math_editor"])
    assert client.get(path).status_code == 404
    assert client.post(path, {"action": "approve"}).status_code == 404


def test_decision_on_an_entry_no_longer_in_review(alliance_users, in_review, login):
    page = in_review("已处理")
    state = current_task_state(page).pk
    client = login(alliance_users["math_editor"])
    assert decide(client, page, "approve", task_state=state).status_code == 302
    response = decide(client, page, "request_changes", comment="晚了", task_state=state)
    assert response.status_code == 400
    assert "这节微课已不在待审核状态。" in response.content.decode()


# --- Near duplicates ----------------------------------------------------------


def test_near_duplicate_notice_links_only_to_lessons_in_scope(
    alliance_users, make_draft, in_review, login
):
    original = make_draft(
        alliance_users["teacher_b"], subject="chinese", title="语文原片"
    )
    same_scope = make_draft(alliance_users["teacher_b"], title="数学同源课")
    page = in_review("疑似重复的数学课")
    Video.objects.filter(pk__in=[page.video_id, same_scope.video_id]).update(
        duplicate_of=original.video_id
    )
    client = login(alliance_users["math_editor"])
    html = client.get(url(page)).content.decode()
    assert "疑似重复" in html
    assert url(same_scope) in html and "数学同源课" in html
    assert url(original) not in html and "语文原片" not in html

    queue = client.get(reverse("alliance:review_queue")).content.decode()
    assert "near-duplicate" in queue and "疑似重复" in queue
    # The Chinese editor sees the original's notice-free page; the duplicate
    # of another subject stays unnamed for them.
    Video.objects.filter(pk=same_scope.video_id).update(duplicate_of=None)
    html = client.get(url(page)).content.decode()
    assert "与资源库中已有的一个视频高度相似" in html
    assert url(original) not in html and url(same_scope) not in html


def test_queue_has_no_duplicate_badge_for_original_videos(
    alliance_users, in_review, login
):
    in_review("原创微课")
    queue = login(alliance_users["math_editor"]).get(reverse("alliance:review_queue"))
    assert "near-duplicate" not in queue.content.decode()


def test_english_review_page_is_english(alliance_users, in_review, login):
    page = in_review("English check")
    Video.objects.filter(pk=page.video_id).update(duplicate_of=make_video("ready").pk)
    html = (
        login(alliance_users["math_editor"])
        .get(url(page), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    for text in (
        "Suspected duplicate",
        "Request changes",
        "Your decision",
        "Back to the review queue",
        "Status: draft",
        "No scores yet.",
        "History",
    ):
        assert text in html
    for text in (
        "疑似重复",
        "退回修改",
        "审核决定",
        "返回审核队列",
        "暂无评分",
        "操作记录",
    ):
        assert text not in html


def test_chinese_review_page_reads_as_before(alliance_users, in_review, login):
    page = in_review("中文界面")
    html = login(alliance_users["math_editor"]).get(url(page)).content.decode()
    for text in (
        "提交人：王老师",
        "状态：草稿",
        "精品：否",
        "返回审核队列",
        "审核决定",
    ):
        assert text in html


def test_editor_watches_the_new_video_of_a_live_lesson_in_review(
    alliance_users, make_draft, login, settings
):
    # A published lesson gets another video in a new version and goes back to
    # review: the live row still shows the old video, the reviewer must watch
    # the new one (the version an approval publishes); the public may not.
    teacher, editor = alliance_users["teacher_a"], alliance_users["math_editor"]
    page = publish(make_draft(teacher, title="换了视频"), alliance_users["admin"])
    new = make_video("ready", uploaded_by=teacher)
    master = f"renditions/{new.pk}/hls/master.m3u8"
    # Ids come back after a rollback; files of an earlier test may be there.
    (settings.MEDIA_ROOT / master).parent.mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / master).write_text("#EXTM3U\n")
    Video.objects.filter(pk=new.pk).update(hls_master=master)
    lifecycle.replace_video(page, new, teacher)
    lifecycle.submit(LessonPage.objects.get(pk=page.pk), teacher)

    hls = reverse("media_pipeline:hls", args=[new.pk, "master.m3u8"])
    html = login(editor).get(url(page)).content.decode()
    assert f'data-hls="{hls}"' in html
    assert login(editor).get(hls).status_code == 200
    assert login(alliance_users["chinese_editor"]).get(hls).status_code == 404
    assert login(alliance_users["teacher_b"]).get(hls).status_code == 404
    assert Client().get(hls).status_code == 404
