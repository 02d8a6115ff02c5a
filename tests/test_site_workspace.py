"""The author's workspace of a lesson (/my/lessons/<id>/): the competition
bundle as typed attachments, checked by content; only the author; only in
the states the life cycle allows (catalog/attachments.py, portal/workspace*)."""

import pytest
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.models import WorkflowState

from catalog.models import LessonPage, ResourceAttachment
from tests import workspace_files as f
from tests.fixtures_alliance import (
    current_task_state,
    latest_workflow_state,
    publish,
    workflow_action_url,
)

pytestmark = pytest.mark.django_db

REFUSED_TYPE = (
    "这个文件不是 PDF、Word（DOC/DOCX）、PowerPoint（PPT/PPTX）或 Excel（XLSX）文档。"
)
IN_REVIEW = "该资源正在审核中，请先撤回提交再修改。"
UNKNOWN = "该资源上没有这个附件。"


def stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def ws(page):
    return reverse("portal:workspace", args=[page.pk])


def add(client, page, kind, upload):
    return client.post(
        reverse("portal:attachment_add", args=[page.pk]),
        {"kind": kind, "file": upload},
        follow=True,
    )


def latest_kinds(page):
    draft = LessonPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    return sorted(a.kind for a in draft.attachments.all())


def body(response):
    return response.content.decode()


# --- Who sees the workspace ----------------------------------------------------


def test_only_the_author_sees_the_workspace(alliance_users, make_draft, login, client):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    assert client.get(ws(page)).status_code == 302  # anonymous: to the login
    mine = login(teacher).get("/my/")
    assert f'href="{ws(page)}"' in body(mine)
    html = body(login(teacher).get(ws(page)))
    assert "参赛材料" in html and 'data-part="lesson_plan" class="missing"' in html
    for other in ("teacher_b", "math_editor", "bureau", "admin"):
        assert login(alliance_users[other]).get(ws(page)).status_code == 404
    client = login(teacher)
    for bad in ("2" * 30, "²", "-1", "..%2F1", "%2E%2E"):
        assert client.get(f"/my/lessons/{bad}/").status_code == 404


# --- The four documents --------------------------------------------------------


def test_author_attaches_the_four_documents_and_the_checklist_completes(
    alliance_users, make_draft, login, media
):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    client = login(teacher)
    parts = [
        ("lesson_plan", f.upload("教案.pdf", f.pdf(), "application/pdf")),
        ("courseware", f.upload("课件.pptx", f.pptx())),
        ("exercises", f.upload("练习.docx", f.docx())),
        ("reflection", f.upload("反思.doc", f.ole("WordDocument"))),
    ]
    for kind, upload in parts:
        response = add(client, page, kind, upload)
        assert "文件已添加。" in body(response)
    html = body(client.get(ws(page)))
    assert 'class="missing"' not in html
    assert "五个部分已齐全。" in html
    # Not live: the rows are written; the stored names are generated.
    rows = ResourceAttachment.objects.filter(page_id=page.pk)
    assert sorted(r.kind for r in rows) == [
        "courseware",
        "exercises",
        "lesson_plan",
        "reflection",
    ]
    names = {r.kind: r.document.file.name for r in rows}
    assert names["courseware"].endswith(".pptx") and "课件" not in names["courseware"]
    assert names["reflection"].endswith(".doc")
    assert {r.document.uploaded_by_user_id for r in rows} == {teacher.pk}
    assert rows.get(kind="lesson_plan").title == "教案"


def test_a_second_file_of_one_part_replaces_the_first(
    alliance_users, make_draft, login, media
):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    client = login(teacher)
    add(client, page, "lesson_plan", f.upload("a.pdf", f.pdf()))
    add(client, page, "lesson_plan", f.upload("b.pdf", f.pdf()))
    add(client, page, "other", f.upload("c.pdf", f.pdf()))
    add(client, page, "other", f.upload("d.pdf", f.pdf()))
    assert latest_kinds(page) == ["lesson_plan", "other", "other"]
    assert (
        ResourceAttachment.objects.get(page_id=page.pk, kind="lesson_plan").title == "b"
    )


DISGUISED = [
    ("plan.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
    ("slides.pptx", b"MZ\x90\x00" + b"\0" * 200, "application/vnd.ms-powerpoint"),
    ("sheet.xls", f.ole("Workbook"), "application/vnd.ms-excel"),
    ("encrypted.docx", f.ole("EncryptedPackage"), "application/msword"),
    ("empty-zip.docx", f.ooxml("other/part.xml"), "application/zip"),
    ("no-types.pptx", b"PK\x03\x04" + b"\0" * 100, "application/zip"),
    ("image.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "image/png"),
    ("../../etc/passwd.pdf", b"root:x:0:0", "application/pdf"),
    # A zip claiming a huge central directory is not parsed at all.
    (
        "huge.docx",
        b"PK\x03\x04"
        + b"\0" * 30
        + b"PK\x05\x06"
        + b"\0" * 6
        + (60000).to_bytes(2, "little")
        + (2**30).to_bytes(4, "little")
        + b"\0" * 6,
        "application/zip",
    ),
]


@pytest.mark.parametrize(("name", "content", "content_type"), DISGUISED)
def test_a_disguised_file_is_refused_and_leaves_nothing(
    name, content, content_type, alliance_users, make_draft, login, media
):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    documents = Document.objects.count()
    before = stored_files(media)

    response = add(
        login(teacher), page, "lesson_plan", f.upload(name, content, content_type)
    )

    assert REFUSED_TYPE in body(response)
    assert Document.objects.count() == documents
    assert stored_files(media) == before
    assert latest_kinds(page) == []


def test_macros_empty_and_oversize_files_are_refused(
    alliance_users, make_draft, login, media, settings
):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    client = login(teacher)
    macro = add(
        client, page, "courseware", f.upload("m.docx", f.docx(["word/vbaProject.bin"]))
    )
    assert "不接受带宏的文档，请另存为不含宏的文档。" in body(macro)
    empty = add(client, page, "courseware", f.upload("e.pdf", b""))
    assert "文件是空的。" in body(empty)
    settings.ATTACHMENT_MAX_SIZE = 64
    big = add(client, page, "courseware", f.upload("big.pdf", f.pdf() + b"\0" * 100))
    # filesizeformat puts a no-break space between number and unit.
    assert "文件超过 64\xa0字节。" in body(big)
    assert Document.objects.count() == 0 and stored_files(media) == []


def test_unknown_kind_and_missing_file(alliance_users, make_draft, login, media):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    client = login(teacher)
    wrong = add(client, page, "<script>", f.upload("a.pdf", f.pdf()))
    assert "请选择附件类型。" in body(wrong)
    none = client.post(
        reverse("portal:attachment_add", args=[page.pk]),
        {"kind": "exercises"},
        follow=True,
    )
    assert "请选择要上传的文件。" in body(none)
    assert Document.objects.count() == 0


# --- Replace and remove ----------------------------------------------------------


def test_replace_and_remove_one(alliance_users, make_draft, login, media):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    client = login(teacher)
    add(client, page, "exercises", f.upload("练习一.pdf", f.pdf()))
    first = ResourceAttachment.objects.get(page_id=page.pk)

    response = client.post(
        reverse("portal:attachment_replace", args=[page.pk, first.document_id]),
        {"file": f.upload("练习二.xlsx", f.xlsx())},
        follow=True,
    )

    assert "文件已替换。" in body(response)
    second = ResourceAttachment.objects.get(page_id=page.pk)
    assert second.kind == "exercises" and second.document_id != first.document_id
    assert second.document.file.name.endswith(".xlsx")
    # A disguised replacement keeps the current file.
    refused = client.post(
        reverse("portal:attachment_replace", args=[page.pk, second.document_id]),
        {"file": f.upload("x.xlsx", b"not a spreadsheet")},
        follow=True,
    )
    assert REFUSED_TYPE in body(refused)
    assert ResourceAttachment.objects.get(page_id=page.pk).pk == second.pk

    removed = client.post(
        reverse("portal:attachment_remove", args=[page.pk, second.document_id]),
        follow=True,
    )
    assert "文件已移除。" in body(removed)
    assert latest_kinds(page) == []
    assert 'data-part="exercises" class="missing"' in body(removed)


def test_another_entrys_document_id_is_refused(
    alliance_users, make_draft, login, media
):
    teacher_a, teacher_b = alliance_users["teacher_a"], alliance_users["teacher_b"]
    theirs = make_draft(teacher_b)
    add(login(teacher_b), theirs, "lesson_plan", f.upload("b.pdf", f.pdf()))
    their_document = ResourceAttachment.objects.get(page_id=theirs.pk).document_id
    mine = make_draft(teacher_a)
    client = login(teacher_a)
    for bad in (their_document, "²", "9" * 30, "..", "-1"):
        removed = client.post(
            f"/my/lessons/{mine.pk}/attachments/{bad}/remove/", follow=True
        )
        assert UNKNOWN in body(removed)
        replaced = client.post(
            f"/my/lessons/{mine.pk}/attachments/{bad}/replace/",
            {"file": f.upload("a.pdf", f.pdf())},
            follow=True,
        )
        assert UNKNOWN in body(replaced)
    assert ResourceAttachment.objects.filter(page_id=theirs.pk).count() == 1
    assert latest_kinds(mine) == []
    assert Document.objects.count() == 1


def test_another_teacher_cannot_act_on_my_lesson(
    alliance_users, make_draft, login, media
):
    teacher_a, teacher_b = alliance_users["teacher_a"], alliance_users["teacher_b"]
    page = make_draft(teacher_a)
    add(login(teacher_a), page, "lesson_plan", f.upload("a.pdf", f.pdf()))
    document = ResourceAttachment.objects.get(page_id=page.pk).document_id
    client = login(teacher_b)
    posts = [
        (
            reverse("portal:attachment_add", args=[page.pk]),
            {"kind": "other", "file": f.upload("b.pdf", f.pdf())},
        ),
        (
            reverse("portal:attachment_replace", args=[page.pk, document]),
            {"file": f.upload("b.pdf", f.pdf())},
        ),
        (reverse("portal:attachment_remove", args=[page.pk, document]), {}),
        (reverse("portal:withdraw", args=[page.pk]), {}),
        (
            reverse("portal:video", args=[page.pk]),
            {"upload": "00000000-0000-0000-0000-000000000000"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404
    assert latest_kinds(page) == ["lesson_plan"]
    assert Document.objects.count() == 1


def test_actions_need_post_login_and_csrf(alliance_users, make_draft, client, media):
    from django.test import Client

    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    url = reverse("portal:attachment_add", args=[page.pk])
    anonymous = client.post(url, {"kind": "other", "file": f.upload("a.pdf", f.pdf())})
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    client.force_login(teacher)
    assert client.get(url).status_code == 405
    assert client.get(reverse("portal:withdraw", args=[page.pk])).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(teacher)
    assert (
        strict.post(
            url, {"kind": "other", "file": f.upload("a.pdf", f.pdf())}
        ).status_code
        == 403
    )
    assert strict.post(reverse("portal:withdraw", args=[page.pk])).status_code == 403
    assert Document.objects.count() == 0


# --- The life cycle: in review, withdraw, resubmit -----------------------------


def _submit(client, page):
    return client.post(
        reverse("portal:submit", args=[page.pk]), {"back": "workspace"}, follow=True
    )


def test_in_review_nothing_changes_until_withdrawn(
    alliance_users, make_draft, login, media
):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher)
    client = login(teacher)
    add(client, page, "lesson_plan", f.upload("a.pdf", f.pdf()))
    document = ResourceAttachment.objects.get(page_id=page.pk).document_id
    submitted = _submit(client, page)
    assert submitted.redirect_chain[-1][0] == ws(page)
    assert latest_workflow_state(page).status == WorkflowState.STATUS_IN_PROGRESS
    html = body(submitted)
    assert IN_REVIEW in html and 'id="attachment-form"' not in html
    assert f'action="{reverse("portal:withdraw", args=[page.pk])}"' in html

    refused = [
        add(client, page, "courseware", f.upload("b.pdf", f.pdf())),
        client.post(
            reverse("portal:attachment_remove", args=[page.pk, document]), follow=True
        ),
        client.post(
            reverse("portal:attachment_replace", args=[page.pk, document]),
            {"file": f.upload("c.pdf", f.pdf())},
            follow=True,
        ),
    ]
    for response in refused:
        assert IN_REVIEW in body(response)
    assert latest_kinds(page) == ["lesson_plan"]
    assert Document.objects.count() == 1

    withdrawn = client.post(reverse("portal:withdraw", args=[page.pk]), follow=True)
    assert "已撤回：您可以修改微课后重新提交审核。" in body(withdrawn)
    assert latest_workflow_state(page).status == WorkflowState.STATUS_CANCELLED
    added = add(client, page, "courseware", f.upload("b.pdf", f.pdf()))
    assert "文件已添加。" in body(added)
    resubmitted = _submit(client, page)
    assert "已提交审核。" in body(resubmitted)
    assert latest_workflow_state(page).status == WorkflowState.STATUS_IN_PROGRESS


def test_withdraw_is_refused_outside_a_running_review(
    alliance_users, make_draft, login
):
    teacher, editor = alliance_users["teacher_a"], alliance_users["math_editor"]
    page = make_draft(teacher)
    client = login(teacher)
    url = reverse("portal:withdraw", args=[page.pk])
    draft = client.post(url, follow=True)
    assert "该资源不在审核中，没有可撤回的提交。" in body(draft)
    assert latest_workflow_state(page) is None
    # Returned for changes: the lesson is the author's already.
    _submit(client, page)
    login(editor).post(
        workflow_action_url(page, "reject", current_task_state(page)),
        {"comment": "请补充微练习"},
    )
    returned = login(teacher).post(url, follow=True)
    assert "该资源不在审核中，没有可撤回的提交。" in body(returned)
    assert latest_workflow_state(page).status == WorkflowState.STATUS_NEEDS_CHANGES


def test_a_published_lesson_changes_only_in_its_new_version(
    alliance_users, make_draft, login, media
):
    teacher = alliance_users["teacher_a"]
    page = publish(make_draft(teacher), teacher)
    client = login(teacher)
    added = add(client, page, "reflection", f.upload("r.pdf", f.pdf()))
    assert "文件已添加。" in body(added)
    # The public page keeps its published attachments until review.
    assert not ResourceAttachment.objects.filter(page_id=page.pk).exists()
    assert latest_kinds(page) == ["reflection"]
    assert 'data-part="reflection" class="present"' in body(client.get(ws(page)))


def test_a_new_versions_document_is_private_until_published(
    alliance_users, make_draft, login, media, client
):
    """Added to a published lesson's new version, a document is attached to no
    live entry: only its uploader, the editors who may review the lesson and
    administrators download it; anyone else, signed in or not, gets 404."""
    teacher = alliance_users["teacher_a"]
    page = publish(make_draft(teacher), teacher)
    add(login(teacher), page, "reflection", f.upload("r.pdf", f.pdf()))
    url = Document.objects.get(uploaded_by_user=teacher).url
    expected = {
        None: 404,
        "teacher_b": 404,
        "chinese_editor": 404,  # another subject's editor
        "teacher_a": 200,
        "math_editor": 200,  # reviews 初中数学
        "admin": 200,
    }
    got = {}
    for name in expected:
        visitor = login(alliance_users[name]) if name else client
        if not name:
            client.logout()
        got[name] = visitor.get(url).status_code
    assert got == expected


# --- Reviewers' comments -----------------------------------------------------------


def test_reviewers_decisions_show_newest_first(alliance_users, make_draft, login):
    teacher, editor = alliance_users["teacher_a"], alliance_users["math_editor"]
    page = make_draft(teacher)
    client = login(teacher)
    _submit(client, page)
    login(editor).post(
        workflow_action_url(page, "reject", current_task_state(page)),
        {"comment": "第一次：请补充微练习"},
    )
    _submit(login(teacher), page)
    login(editor).post(
        workflow_action_url(page, "reject", current_task_state(page)),
        {"comment": "第二次：<b>字幕</b>有错别字"},
    )
    html = body(login(teacher).get(ws(page)))
    decisions = html.split('id="decisions"')[1]
    assert decisions.index("第二次") < decisions.index("第一次")
    assert "已退回修改" in decisions
    # A comment is text, never markup.
    assert "&lt;b&gt;字幕&lt;/b&gt;" in decisions and "<b>字幕" not in decisions
    # Another teacher sees none of it.
    assert login(alliance_users["teacher_b"]).get(ws(page)).status_code == 404


# --- The admin shares the content check -------------------------------------------


def test_the_admins_document_upload_checks_the_content_too(
    alliance_users, login, media
):
    from wagtail.models import Collection

    client = login(alliance_users["admin"])
    url = reverse("wagtaildocs:add")
    collection = Collection.get_first_root_node().pk
    disguised = client.post(
        url,
        {
            "title": "假教案",
            "collection": collection,
            "file": f.upload("plan.pdf", b"<html>", "application/pdf"),
        },
    )
    assert disguised.status_code == 200
    assert REFUSED_TYPE in body(disguised)
    assert Document.objects.count() == 0
    real = client.post(
        url,
        {
            "title": "教案",
            "collection": collection,
            "file": f.upload("plan.pdf", f.pdf()),
        },
    )
    assert real.status_code == 302
    assert Document.objects.get().title == "教案"


def test_malformed_lesson_ids_in_actions_are_404(alliance_users, login):
    client = login(alliance_users["teacher_a"])
    for bad in ("2" * 30, "²", "-1", "%2E%2E", "１"):
        for action in ("attachments/", "attachments/1/remove/", "withdraw/", "video/"):
            assert client.post(f"/my/lessons/{bad}/{action}").status_code == 404


def test_the_english_workspace_is_english(alliance_users, make_draft, login, media):
    teacher = alliance_users["teacher_a"]
    page = make_draft(teacher, title="Linear functions")
    html = body(login(teacher).get(ws(page), HTTP_ACCEPT_LANGUAGE="en"))
    main = html.split('<main id="main"')[1].split("</main>")[0]
    for text in ("Competition bundle", "Lesson plan", "Reflection", "Attach"):
        assert text in main
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in main)
