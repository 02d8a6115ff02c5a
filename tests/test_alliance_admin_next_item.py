"""A decision taken in Wagtail's admin — the page editor's approve / return,
or Wagtail's workflow action view — leads the editor to the next entry of
their queue (alliance:review_next), as the site's review page does, instead
of /admin/ or the explorer."""

import json

import pytest
from django.urls import reverse
from wagtail.models import TaskState

from catalog import lifecycle
from catalog.models import LessonPage
from tests.fixtures_alliance import (
    current_task_state,
    edit_form_data,
    workflow_action_url,
)

pytestmark = pytest.mark.django_db

NEXT = reverse("alliance:review_next")
QUEUE = reverse("alliance:review_queue")
EMPTY = "待审核的资源已全部处理完。"


def entry(page):
    return reverse("alliance:entry", args=[page.pk])


@pytest.fixture
def in_review(alliance_users, make_draft):
    def make(title, subject="maths"):
        owner = alliance_users["teacher_a"]
        page = make_draft(owner, subject=subject, title=title)
        lifecycle.submit(page, owner)
        return LessonPage.objects.get(pk=page.pk)

    return make


def decide_in_editor(client, page, action, comment=""):
    """The page editor's footer: the form posted with the workflow action (a
    comment comes from the modal as workflow-action-extra-data)."""
    extra = {"comment": comment} if comment else {}
    return client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        edit_form_data(
            page,
            **{
                "action-workflow-action": "1",
                "workflow-action-name": action,
                "workflow-action-extra-data": json.dumps(extra),
            },
        ),
    )


def follow_next(client, response, step):
    assert response.status_code == 302
    assert response["Location"] == f"{NEXT}?after={step.pk}"
    return client.get(response["Location"])


def test_page_editor_decisions_lead_to_the_next_entry(alliance_users, in_review, login):
    # The queue lists the newest first: c, b, a.
    a, b, c = in_review("甲"), in_review("乙"), in_review("丙")
    client = login(alliance_users["math_editor"])

    step = current_task_state(b)
    landed = follow_next(client, decide_in_editor(client, b, "approve"), step)
    assert landed["Location"] == entry(a)  # the one after b
    assert LessonPage.objects.get(pk=b.pk).live

    step = current_task_state(a)
    landed = follow_next(client, decide_in_editor(client, a, "reject", "再改改"), step)
    assert landed["Location"] == entry(c)  # a was last: the first left
    step.refresh_from_db()
    assert step.status == TaskState.STATUS_REJECTED
    assert step.comment == "再改改"

    step = current_task_state(c)
    landed = follow_next(client, decide_in_editor(client, c, "approve"), step)
    assert landed["Location"] == QUEUE
    assert EMPTY in client.get(QUEUE).content.decode()


def test_a_plain_save_in_the_editor_stays_in_the_editor(
    alliance_users, in_review, login
):
    page = in_review("甲")
    in_review("乙")
    client = login(alliance_users["math_editor"])
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]), edit_form_data(page)
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert current_task_state(page).status == TaskState.STATUS_IN_PROGRESS


def test_wagtails_action_view_leads_to_the_next_entry(alliance_users, in_review, login):
    a, b = in_review("甲"), in_review("乙")
    client = login(alliance_users["math_editor"])
    step = current_task_state(b)
    response = client.post(workflow_action_url(b, "approve", step))
    assert follow_next(client, response, step)["Location"] == entry(a)

    # The modal (XMLHttpRequest) is told the same place.
    step = current_task_state(a)
    response = client.post(
        workflow_action_url(a, "reject", step),
        {"comment": "请重录"},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.json()["redirect"] == f"{NEXT}?after={step.pk}"
    assert client.get(f"{NEXT}?after={step.pk}")["Location"] == QUEUE


@pytest.mark.parametrize(
    "bad", ["²", "1" * 30, "-1", "１", "../1", "%2e%2e", "abc", ""]
)
def test_hostile_after_ids_fall_back_to_the_first_waiting(
    alliance_users, in_review, login, bad
):
    in_review("甲")
    newest = in_review("乙")
    client = login(alliance_users["math_editor"])
    response = client.get(NEXT, {"after": bad})
    assert response.status_code == 302
    assert response["Location"] == entry(newest)


def test_another_editors_step_says_nothing(alliance_users, in_review, login):
    maths = in_review("数学")
    chinese = in_review("语文", subject="chinese")
    step = current_task_state(maths)
    login(alliance_users["math_editor"]).post(
        workflow_action_url(maths, "approve", step)
    )
    # The Chinese editor naming the maths step lands on their own queue only.
    client = login(alliance_users["chinese_editor"])
    assert client.get(NEXT, {"after": step.pk})["Location"] == entry(chinese)
    client = login(alliance_users["physics_editor"])
    assert client.get(NEXT, {"after": step.pk})["Location"] == QUEUE


def test_anonymous_visit_goes_to_login(client):
    response = client.get(NEXT, {"after": "1"})
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert "/alliance/" not in response["Location"].split("?")[0]
