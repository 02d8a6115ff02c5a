"""The review workflow end to end, through hand-made requests to the admin.

submit → return with comment → resubmit → approve (publishes) → quality pick
→ revoke, with the Wagtail audit trail and the e-mails checked at each step.
"""

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.models import PageLogEntry, TaskState, WorkflowState

from alliance.models import QualityDecision
from alliance.selectors import is_quality_pick_at
from catalog.models import LessonPage, QualityPick
from tests.fixtures_alliance import (
    current_task_state,
    log_actions,
    submit,
    workflow_action_url,
)

pytestmark = pytest.mark.django_db


def test_full_review_cycle(alliance_users, make_draft, login):
    teacher = alliance_users["teacher_a"]
    editor = alliance_users["math_editor"]
    page = make_draft(teacher, title="一元二次方程的解法")

    # 1. The teacher submits from the edit view.
    client = login(teacher)
    mail.outbox.clear()
    response = submit(client, page)
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.workflow_in_progress
    assert not page.live
    assert "wagtail.workflow.start" in log_actions(page)
    # Only the editor whose scope covers 初中数学 is mailed, in Chinese.
    to_editors = [m for m in mail.outbox if "待审核" in m.subject]
    assert [m.to for m in to_editors] == [[editor.email]]
    assert "一元二次方程的解法" in to_editors[0].body

    # The queue of the maths editor lists it; the Chinese editor's does not.
    client = login(editor)
    queue = client.get(reverse("alliance:review_queue"))
    assert "一元二次方程的解法" in queue.content.decode()
    client = login(alliance_users["chinese_editor"])
    assert (
        "一元二次方程的解法"
        not in client.get(reverse("alliance:review_queue")).content.decode()
    )

    # 2. The editor returns it with a comment.
    client = login(editor)
    mail.outbox.clear()
    task_state = current_task_state(page)
    response = client.post(
        workflow_action_url(page, "reject", task_state), {"comment": "请补充例题的讲解"}
    )
    assert response.status_code == 302
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_REJECTED
    assert task_state.finished_by == editor
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert "wagtail.workflow.reject" in log_actions(page)
    returned = [m for m in mail.outbox if teacher.email in m.to]
    assert len(returned) == 1
    assert "退回修改" in returned[0].subject
    assert "请补充例题的讲解" in returned[0].body

    # The teacher sees the comment on the entry's review page.
    client = login(teacher)
    entry = client.get(reverse("alliance:entry", args=[page.pk]))
    assert entry.status_code == 200
    assert "请补充例题的讲解" in entry.content.decode()

    # 3. The teacher edits and resubmits: the same workflow resumes.
    response = submit(client, page, summary="补充了例题")
    assert response.status_code == 302
    assert log_actions(page).count("wagtail.workflow.resume") == 1
    new_task_state = current_task_state(page)
    assert new_task_state.pk != task_state.pk
    assert new_task_state.status == TaskState.STATUS_IN_PROGRESS

    # 4. The editor approves: the workflow finishes and publishes.
    client = login(editor)
    mail.outbox.clear()
    response = client.post(workflow_action_url(page, "approve", new_task_state), {})
    assert response.status_code == 302
    page = LessonPage.objects.get(pk=page.pk)
    assert page.live
    assert page.summary == "补充了例题"
    actions = log_actions(page)
    assert "wagtail.workflow.approve" in actions
    assert "wagtail.publish" in actions
    assert any("通过审核" in m.subject for m in mail.outbox if teacher.email in m.to)
    assert client.get(page.url).status_code == 200

    # 5. Quality pick by the scoped editor.
    response = client.post(
        reverse("alliance:pick", args=[page.pk]), {"reason": "讲解清晰，例题典型"}
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.is_quality_pick
    assert page.quality_pick.picked_by == editor
    picked_at = page.quality_pick.picked_at
    log = PageLogEntry.objects.filter(page_id=page.pk, action="alliance.quality_pick")
    assert log.get().user == editor
    assert log.get().data["comment"] == "讲解清晰，例题典型"

    # 6. Revocation needs a reason and is logged with it.
    response = client.post(reverse("alliance:revoke", args=[page.pk]), {"reason": ""})
    assert response.status_code == 400
    page.refresh_from_db()
    assert page.is_quality_pick
    response = client.post(
        reverse("alliance:revoke", args=[page.pk]), {"reason": "发现知识性错误"}
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert not page.is_quality_pick
    assert not QualityPick.objects.filter(page_id=page.pk).exists()
    revoke = PageLogEntry.objects.get(page_id=page.pk, action="alliance.quality_revoke")
    assert revoke.data["comment"] == "发现知识性错误"
    decisions = list(QualityDecision.objects.filter(page=page).order_by("decided_at"))
    assert [d.action for d in decisions] == ["designate", "revoke"]
    # The status stays unambiguous for any date.
    assert is_quality_pick_at(page, picked_at)
    assert not is_quality_pick_at(page, decisions[1].decided_at)

    # The history screen shows every step.
    history = client.get(reverse("alliance:entry", args=[page.pk])).content.decode()
    for text in ("评为精品微课", "撤销精品微课", "发现知识性错误", "请补充例题的讲解"):
        assert text in history


def test_subject_change_reroutes_review(alliance_users, make_draft, login):
    """A page moved to 物理 while in review is reviewed by the physics editor."""
    from wagtail.actions.move_page import MovePageAction

    from tests.factories import subject_page

    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher, title="浮力")
    submit(login(teacher), page)
    task_state = current_task_state(page)
    math, physics = alliance_users["math_editor"], alliance_users["physics_editor"]
    task = task_state.task.specific
    assert task.get_actions(page, math)
    assert not task.get_actions(page, physics)

    MovePageAction(
        page, subject_page("junior", "physics"), pos="last-child", user=None
    ).execute()
    page = LessonPage.objects.get(pk=page.pk)
    assert page.subject.code == "physics"  # the entry row follows the tree
    assert not task.get_actions(page, math)
    assert task.get_actions(page, physics)

    # The maths editor can no longer approve it, even by a crafted POST.
    client = login(math)
    client.post(workflow_action_url(page, "approve", task_state), {})
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_IN_PROGRESS
    # The physics editor now sees it in the queue and can approve it.
    client = login(physics)
    assert "浮力" in client.get(reverse("alliance:review_queue")).content.decode()
    client.post(workflow_action_url(page, "approve", task_state), {})
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_APPROVED
    assert LessonPage.objects.get(pk=page.pk).live


def test_two_step_district_then_city_review(alliance_users, make_draft, login):
    """The optional second step, configured as an administrator would."""
    from django.contrib.auth.models import Group
    from wagtail.models import Workflow, WorkflowTask

    from alliance.models import EditorScope, ReviewerLevel, SubjectReviewTask
    from catalog.models import District, Stage, Subject
    from tests.factories import UserFactory

    district = District.objects.order_by("code").first()
    junior, maths = Stage.objects.get(code="junior"), Subject.objects.get(code="maths")
    district_editor = UserFactory(username="district_editor")
    district_editor.groups.add(Group.objects.get(name="学科编辑"))
    EditorScope.objects.create(
        user=district_editor, stage=junior, subject=maths, district=district
    )
    city_editor = alliance_users["math_editor"]  # scope without a district

    workflow = Workflow.objects.get(name="微课审核")
    first = SubjectReviewTask.objects.get(name="学科审核")
    first.reviewer_level = ReviewerLevel.DISTRICT
    first.save()
    second = SubjectReviewTask.objects.create(
        name="市级复审", reviewer_level=ReviewerLevel.CITY
    )
    WorkflowTask.objects.create(workflow=workflow, task=second, sort_order=1)

    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher, title="全等三角形")
    mail.outbox.clear()
    submit(login(teacher), page, district=district.pk)
    assert LessonPage.objects.get(pk=page.pk).district == district
    assert [m.to for m in mail.outbox if "待审核" in m.subject] == [
        [district_editor.email]
    ]
    step1 = current_task_state(page)
    assert step1.task_id == first.pk
    # The city editor cannot act on the district step.
    login(city_editor).post(workflow_action_url(page, "approve", step1), {})
    step1.refresh_from_db()
    assert step1.status == TaskState.STATUS_IN_PROGRESS
    login(district_editor).post(workflow_action_url(page, "approve", step1), {})
    step1.refresh_from_db()
    assert step1.status == TaskState.STATUS_APPROVED
    assert not LessonPage.objects.get(pk=page.pk).live

    step2 = current_task_state(page)
    assert step2.task_id == second.pk
    login(district_editor).post(workflow_action_url(page, "approve", step2), {})
    step2.refresh_from_db()
    assert step2.status == TaskState.STATUS_IN_PROGRESS
    login(city_editor).post(workflow_action_url(page, "approve", step2), {})
    step2.refresh_from_db()
    assert step2.status == TaskState.STATUS_APPROVED
    assert LessonPage.objects.get(pk=page.pk).live
    assert log_actions(page).count("wagtail.workflow.approve") == 2
