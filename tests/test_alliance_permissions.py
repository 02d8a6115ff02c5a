"""Every role boundary, probed with hand-made requests (never by clicking).

Wagtail's own admin views answer a refused request with a redirect to the
dashboard (302) rather than 403, so the checks below assert on the *effect*
(nothing changed) and on the status not being a success.
"""

import pytest
from django.urls import reverse
from wagtail.models import Page, TaskState, WorkflowState

from alliance.models import QualityDecision
from catalog.models import LessonPage
from tests.fixtures_alliance import (
    current_task_state,
    edit_form_data,
    publish,
    submit,
    workflow_action_url,
)

pytestmark = pytest.mark.django_db


def _refused(response):
    """A refusal: 403, or Wagtail's redirect to the admin home / login."""
    if response.status_code == 403:
        return True
    return (
        response.status_code == 302
        and response.url in (reverse("wagtailadmin_home"),)
        or (response.status_code == 302 and "/login/" in response.url)
    )


class TestTeacherBoundaries:
    def test_cannot_view_or_edit_another_teachers_draft(
        self, alliance_users, make_draft, login
    ):
        draft = make_draft(alliance_users["teacher_b"], title="B 的草稿")
        client = login(alliance_users["teacher_a"])
        for name in ("edit", "view_draft", "delete", "history"):
            response = client.get(
                reverse(f"wagtailadmin_pages:{name}", args=[draft.pk])
            )
            assert _refused(response), (name, response.status_code)
            if response.status_code == 200:  # pragma: no cover - explains failure
                assert "B 的草稿" not in response.content.decode()
        preview = client.get(
            reverse("wagtailadmin_pages:preview_on_edit", args=[draft.pk])
        )
        assert preview.status_code != 200 or "B 的草稿" not in preview.content.decode()
        # Not listed in the explorer either.
        listing = client.get(
            reverse("wagtailadmin_explore", args=[draft.get_parent().pk])
        )
        assert "B 的草稿" not in listing.content.decode()
        # Nor in the admin page search (while the owner finds their own).
        mine = make_draft(alliance_users["teacher_a"], title="Zebradraft mine")
        other = make_draft(alliance_users["teacher_b"], title="Zebradraft theirs")
        search = client.get(reverse("wagtailadmin_pages:search"), {"q": "Zebradraft"})
        assert search.status_code == 200
        found = {p.pk for p in search.context["pages"]}
        assert mine.pk in found and other.pk not in found
        # Nor on the alliance review page.
        assert client.get(reverse("alliance:entry", args=[draft.pk])).status_code == 403

    def test_cannot_change_submit_or_delete_another_teachers_draft(
        self, alliance_users, make_draft, login
    ):
        draft = make_draft(alliance_users["teacher_b"], title="B 的草稿")
        client = login(alliance_users["teacher_a"])
        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[draft.pk]),
            edit_form_data(draft, title="被 A 改了"),
        )
        assert _refused(response)
        assert _refused(submit(client, draft))
        response = client.post(reverse("wagtailadmin_pages:delete", args=[draft.pk]))
        assert _refused(response)
        draft = LessonPage.objects.get(pk=draft.pk)
        assert draft.title == "B 的草稿"
        assert draft.latest_revision.content["title"] == "B 的草稿"
        assert not draft.workflow_in_progress
        assert Page.objects.filter(pk=draft.pk).exists()

    def test_owner_can_edit_and_delete_own_draft(
        self, alliance_users, make_draft, login
    ):
        teacher = alliance_users["teacher_a"]
        draft = make_draft(teacher)
        client = login(teacher)
        assert (
            client.get(reverse("wagtailadmin_pages:edit", args=[draft.pk])).status_code
            == 200
        )
        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[draft.pk]),
            edit_form_data(draft, title="我改的标题"),
        )
        assert response.status_code == 302
        assert (
            LessonPage.objects.get(pk=draft.pk).get_latest_revision_as_object().title
            == "我改的标题"
        )
        client.post(reverse("wagtailadmin_pages:delete", args=[draft.pk]))
        assert not Page.objects.filter(pk=draft.pk).exists()

    def test_cannot_publish_even_own_page_or_set_quality_flag(
        self, alliance_users, make_draft, login
    ):
        teacher = alliance_users["teacher_a"]
        draft = make_draft(teacher)
        client = login(teacher)
        client.post(
            reverse("wagtailadmin_pages:edit", args=[draft.pk]),
            edit_form_data(draft, is_quality_pick="on", **{"action-publish": "1"}),
        )
        draft = LessonPage.objects.get(pk=draft.pk)
        assert not draft.live
        assert not draft.is_quality_pick
        assert not draft.get_latest_revision_as_object().is_quality_pick
        # Once published by an editor, the teacher still cannot pick it.
        page = publish(draft, alliance_users["math_editor"])
        response = client.post(
            reverse("alliance:pick", args=[page.pk]), {"reason": "x"}
        )
        assert response.status_code == 403
        assert not LessonPage.objects.get(pk=page.pk).is_quality_pick
        assert not QualityDecision.objects.exists()
        # Nor unpublish it.
        response = client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))
        assert _refused(response)
        assert LessonPage.objects.get(pk=page.pk).live

    def test_cannot_create_structure_pages(self, alliance_users, login):
        client = login(alliance_users["teacher_a"])
        home = Page.objects.get(depth=2)
        response = client.get(
            reverse("wagtailadmin_pages:add", args=["catalog", "stagepage", home.pk])
        )
        assert _refused(response)

    def test_cannot_act_on_workflow_of_another_teacher(
        self, alliance_users, make_draft, login
    ):
        draft = make_draft(alliance_users["teacher_b"])
        submit(login(alliance_users["teacher_b"]), draft)
        task_state = current_task_state(draft)
        client = login(alliance_users["teacher_a"])
        for action in ("approve", "reject"):
            url = workflow_action_url(draft, action, task_state)
            assert _refused(client.post(url, {"comment": "x"}))
        cancel = reverse("wagtailadmin_pages:edit", args=[draft.pk])
        client.post(cancel, edit_form_data(draft, **{"action-cancel-workflow": "1"}))
        task_state.refresh_from_db()
        assert task_state.status == TaskState.STATUS_IN_PROGRESS


class TestEditorBoundaries:
    def test_maths_editor_cannot_approve_chinese_lesson(
        self, alliance_users, make_draft, login
    ):
        teacher = alliance_users["teacher_a"]
        lesson = make_draft(teacher, subject="chinese", title="背影")
        submit(login(teacher), lesson)
        task_state = current_task_state(lesson)
        client = login(alliance_users["math_editor"])
        # The edit view (no editor access) …
        assert _refused(
            client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk]))
        )
        # … the workflow action URL …
        url = workflow_action_url(lesson, "approve", task_state)
        assert _refused(client.post(url, {}))
        # … and the edit view's workflow action, crafted.
        client.post(
            reverse("wagtailadmin_pages:edit", args=[lesson.pk]),
            edit_form_data(
                lesson,
                **{"action-workflow-action": "1", "workflow-action-name": "approve"},
            ),
        )
        task_state.refresh_from_db()
        assert task_state.status == TaskState.STATUS_IN_PROGRESS
        assert not LessonPage.objects.get(pk=lesson.pk).live
        assert (
            "背影" not in client.get(reverse("alliance:review_queue")).content.decode()
        )

    def test_task_state_of_another_subject_cannot_be_smuggled(
        self, alliance_users, make_draft, login
    ):
        """Wagtail's action view checks the page in the URL, not the task
        state's page; the task re-checks against the task state's own page."""
        teacher = alliance_users["teacher_a"]
        maths = make_draft(teacher, subject="maths")
        chinese = make_draft(teacher, subject="chinese")
        client = login(teacher)
        submit(client, maths)
        submit(client, chinese)
        chinese_state = current_task_state(chinese)
        client = login(alliance_users["math_editor"])
        response = client.post(workflow_action_url(maths, "approve", chinese_state), {})
        assert response.status_code in (302, 403)
        chinese_state.refresh_from_db()
        assert chinese_state.status == TaskState.STATUS_IN_PROGRESS
        assert not LessonPage.objects.get(pk=chinese.pk).live

    def test_editor_cannot_pick_outside_scope(self, alliance_users, make_draft, login):
        lesson = publish(
            make_draft(alliance_users["teacher_a"], subject="chinese"),
            alliance_users["admin"],
        )
        client = login(alliance_users["math_editor"])
        for name in ("pick", "revoke", "score"):
            response = client.post(reverse(f"alliance:{name}", args=[lesson.pk]), {})
            assert response.status_code == 403
        assert (
            client.get(reverse("alliance:entry", args=[lesson.pk])).status_code == 403
        )
        assert not QualityDecision.objects.exists()


class TestBureauBoundaries:
    def test_bureau_cannot_change_anything(self, alliance_users, make_draft, login):
        teacher = alliance_users["teacher_a"]
        draft = make_draft(teacher, title="待审微课")
        submit(login(teacher), draft)
        task_state = current_task_state(draft)
        live = publish(make_draft(teacher, title="已发布微课"), alliance_users["admin"])

        client = login(alliance_users["bureau"])
        assert client.get(reverse("wagtailadmin_home")).status_code == 200
        assert _refused(client.get(reverse("wagtailadmin_pages:edit", args=[live.pk])))
        assert _refused(
            client.post(
                reverse("wagtailadmin_pages:edit", args=[live.pk]),
                edit_form_data(live, title="改", **{"action-publish": "1"}),
            )
        )
        assert _refused(
            client.post(reverse("wagtailadmin_pages:delete", args=[live.pk]))
        )
        assert _refused(
            client.post(reverse("wagtailadmin_pages:unpublish", args=[live.pk]))
        )
        url = workflow_action_url(draft, "approve", task_state)
        assert _refused(client.post(url, {}))
        home = Page.objects.get(depth=2)
        assert _refused(
            client.get(
                reverse(
                    "wagtailadmin_pages:add", args=["catalog", "lessonpage", home.pk]
                )
            )
        )
        for name in ("pick", "revoke", "score"):
            assert (
                client.post(reverse(f"alliance:{name}", args=[live.pk]), {}).status_code
                == 403
            )
        # Snippets are read-only for the bureau.
        assert _refused(
            client.get(reverse("wagtailsnippets_alliance_featuredcollection:add"))
        )
        # Reads published entries' history, not drafts.
        assert client.get(reverse("alliance:entry", args=[live.pk])).status_code == 200
        assert client.get(reverse("alliance:entry", args=[draft.pk])).status_code == 403

        live = LessonPage.objects.get(pk=live.pk)
        assert live.title == "已发布微课" and live.live and not live.is_quality_pick
        task_state.refresh_from_db()
        assert task_state.status == TaskState.STATUS_IN_PROGRESS
        assert WorkflowState.objects.filter(status="in_progress").count() == 1


class TestAnonymous:
    def test_unpublished_lessons_are_not_served(
        self, alliance_users, make_draft, client
    ):
        draft = make_draft(alliance_users["teacher_a"], title="未发布")
        url = "/" + "/".join(draft.url_path.strip("/").split("/")[1:]) + "/"
        assert client.get(url).status_code == 404
        for name in ("view_draft", "preview_on_edit", "edit"):
            response = client.get(
                reverse(f"wagtailadmin_pages:{name}", args=[draft.pk])
            )
            assert response.status_code == 302 and "/login/" in response.url
        response = client.get(reverse("alliance:entry", args=[draft.pk]))
        assert response.status_code == 302 and "/login/" in response.url
        response = client.post(reverse("alliance:pick", args=[draft.pk]))
        assert response.status_code == 302 and "/login/" in response.url
        # Once published it is served.
        publish(draft, alliance_users["admin"])
        assert client.get(url).status_code == 200


class TestDraftFiles:
    def test_attachments_of_drafts_are_not_served_by_guessed_url(
        self, alliance_users, make_draft, client, login
    ):
        from django.core.files.base import ContentFile
        from wagtail.documents import get_document_model

        from catalog.models import ResourceAttachment

        owner = alliance_users["teacher_a"]
        draft = make_draft(owner, title="带附件的草稿")
        document = get_document_model().objects.create(
            title="教案", file=ContentFile(b"lesson plan", name="jiaoan.txt")
        )
        ResourceAttachment.objects.create(page=draft, document=document)
        url = document.url
        assert client.get(url).status_code == 404  # anonymous
        assert login(alliance_users["teacher_b"]).get(url).status_code == 404
        assert login(alliance_users["bureau"]).get(url).status_code == 404
        response = login(owner).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"lesson plan"
        assert login(alliance_users["math_editor"]).get(url).status_code == 200
        publish(draft, alliance_users["admin"])
        client.logout()
        assert client.get(url).status_code == 200
