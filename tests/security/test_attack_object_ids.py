"""Issue 11, item 3: form fields and choosers that take an object id.

A form field that takes an id offers, and accepts, only what the user may use.
Every request below is crafted by hand, as an attacker would send it: the
admin's page create/edit views with someone else's video or author, the video
chooser, the Video snippet views, and the site's upload form.
"""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from catalog.models import LessonPage
from media_pipeline.models import Video, VideoStatus
from tests.factories import UserFactory, subject_page
from tests.fixtures_alliance import edit_form_data, submit

pytestmark = pytest.mark.django_db

VIDEO_REFUSED = "这段视频不是您上传的，或已用于其他微课，不能选用。"
AUTHOR_REFUSED = "您只能把自己设为作者。"

# Ids that name nothing, or nothing a teacher may use, in the shapes an
# attacker would try: absent, past any integer column, not a number at all.
JUNK_IDS = [
    "987654321",
    str(2**63),
    str(-(2**63) - 1),
    "abc",
    "1 OR 1=1",
    "1e3",
    "%00",
    "9" * 400,
]


def make_video(owner, status=VideoStatus.READY, title="视频"):
    """A video with one rendition file on disk (what a player would fetch)."""
    video = Video.objects.create(
        title=title, file="originals/x.mp4", status=status, uploaded_by=owner
    )
    name = f"renditions/{video.pk}/360p.mp4"
    if default_storage.exists(name):  # pks are reused after a rollback
        default_storage.delete(name)
    default_storage.save(name, ContentFile(b"\x00" * 32))
    return video


def fullwidth(number) -> str:
    """'12' → '１２': Python's int() reads these digits, so does the ORM."""
    return "".join(chr(0xFF10 + int(d)) for d in str(number))


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def add_url(parent):
    return reverse("wagtailadmin_pages:add", args=["catalog", "lessonpage", parent.pk])


def create_form_data(title, **extra):
    data = {
        "title": title,
        "slug": "attack-lesson",
        "summary": "",
        "academic_year": 2025,
        "licence": "cc-by-nc-4.0",
        "attachments": inline_formset([]),
        "chapters": inline_formset([]),
        "comments": inline_formset([]),
    }
    data.update(extra)
    return nested_form_data(data)


def may_fetch(client, video) -> bool:
    """Does the access rule hand the video's files to the client's user?"""
    rendition = client.get(f"/media/renditions/{video.pk}/360p.mp4")
    status = client.get(reverse("media_pipeline:video-status", args=[video.pk]))
    assert rendition.status_code == status.status_code
    return rendition.status_code == 200


@pytest.fixture
def b_videos(alliance_users, make_draft):
    """Teacher B's private videos: one shown by B's draft lesson, one rejected,
    one ready but not yet used."""
    teacher_b = alliance_users["teacher_b"]
    in_draft = make_video(teacher_b, title="B 草稿里的视频")
    draft = make_draft(teacher_b, title="B 的草稿")
    draft.video = in_draft
    draft.save()
    return {
        "in_b_draft": in_draft,
        "rejected": make_video(teacher_b, VideoStatus.REJECTED, "B 被拒的视频"),
        "ready": make_video(teacher_b, title="B 就绪的视频"),
    }


def field_errors(response, name):
    assert response.status_code == 200, response.status_code
    return [str(e) for e in response.context["form"].errors.get(name, [])]


# --- The video field of the lesson edit and create forms ------------------------


@pytest.mark.parametrize("which", ["in_b_draft", "rejected", "ready"])
def test_edit_refuses_another_teachers_video(
    which, alliance_users, b_videos, make_draft, login
):
    teacher_a = alliance_users["teacher_a"]
    page = make_draft(teacher_a)
    own_video = page.video_id  # drafts come with a ready video of their own
    revisions = page.revisions.count()
    video = b_videos[which]
    client = login(teacher_a)
    assert not may_fetch(client, video)

    response = client.post(edit_url(page), edit_form_data(page, video=video.pk))

    assert field_errors(response, "video") == [VIDEO_REFUSED]
    # The re-rendered form does not show the refused video's title either.
    assert video.title not in response.content.decode()
    page = LessonPage.objects.get(pk=page.pk)
    assert page.video_id == own_video
    assert page.revisions.count() == revisions
    assert page.get_latest_revision_as_object().video_id == own_video
    assert not may_fetch(client, video)


@pytest.mark.parametrize("which", ["in_b_draft", "rejected", "ready"])
def test_create_refuses_another_teachers_video(which, alliance_users, b_videos, login):
    video = b_videos[which]
    client = login(alliance_users["teacher_a"])

    response = client.post(
        add_url(subject_page()), create_form_data("A 偷来的视频", video=video.pk)
    )

    assert field_errors(response, "video") == [VIDEO_REFUSED]
    assert video.title not in response.content.decode()
    assert not LessonPage.objects.filter(title="A 偷来的视频").exists()
    assert not LessonPage.objects.filter(video=video).exclude(owner=video.uploaded_by)
    assert not may_fetch(client, video)


@pytest.mark.parametrize("value", JUNK_IDS)
def test_edit_refuses_junk_video_ids(value, alliance_users, make_draft, login):
    teacher_a = alliance_users["teacher_a"]
    page = make_draft(teacher_a)
    client = login(teacher_a)

    response = client.post(edit_url(page), edit_form_data(page, video=value))

    assert field_errors(response, "video") == [VIDEO_REFUSED]
    assert LessonPage.objects.get(pk=page.pk).video_id == page.video_id


def test_other_spellings_of_another_teachers_id_are_refused(
    alliance_users, b_videos, make_draft, login
):
    teacher_a = alliance_users["teacher_a"]
    page = make_draft(teacher_a)
    client = login(teacher_a)
    pk = b_videos["ready"].pk
    for value in (fullwidth(pk), f" {pk} ", f"0{pk}", f"{pk}.0"):
        response = client.post(edit_url(page), edit_form_data(page, video=value))
        assert field_errors(response, "video") == [VIDEO_REFUSED], value
    assert LessonPage.objects.get(pk=page.pk).video_id == page.video_id


def test_teacher_attaches_own_free_video_and_keeps_the_current_one(
    alliance_users, make_draft, login
):
    teacher_a = alliance_users["teacher_a"]
    mine = make_video(teacher_a, title="A 自己的视频")
    used = make_video(teacher_a, title="A 已用的视频")
    other_lesson = make_draft(teacher_a)
    other_lesson.video = used
    other_lesson.save()
    page = make_draft(teacher_a)
    client = login(teacher_a)

    # Own video used by another lesson: one video, one lesson.
    response = client.post(edit_url(page), edit_form_data(page, video=used.pk))
    assert field_errors(response, "video") == [VIDEO_REFUSED]

    response = client.post(edit_url(page), edit_form_data(page, video=mine.pk))
    assert response.status_code == 302
    assert LessonPage.objects.get(pk=page.pk).video_id == mine.pk
    # Saving again with the video it already has.
    response = client.post(edit_url(page), edit_form_data(page, video=mine.pk))
    assert response.status_code == 302
    assert may_fetch(client, mine)


def test_edit_form_offers_only_attachable_videos(
    alliance_users, b_videos, make_draft, login
):
    teacher_a = alliance_users["teacher_a"]
    mine = make_video(teacher_a, title="A 自己的视频")
    page = make_draft(teacher_a)
    response = login(teacher_a).get(edit_url(page))
    offered = set(
        response.context["form"].fields["video"].queryset.values_list("pk", flat=True)
    )
    # Its own video, and the one the draft already shows (kept allowed).
    assert offered == {mine.pk, page.video_id}


def test_editor_in_scope_may_attach_a_video_of_their_scope(
    alliance_users, b_videos, make_draft, login
):
    teacher_a = alliance_users["teacher_a"]
    page = make_draft(teacher_a)
    client = login(teacher_a)
    assert submit(client, page).status_code == 302
    # The maths editor reviews A's lesson; B's draft is in maths too.
    client = login(alliance_users["math_editor"])
    video = b_videos["in_b_draft"]
    response = client.post(edit_url(page), edit_form_data(page, video=video.pk))
    assert response.status_code == 302
    assert LessonPage.objects.get(pk=page.pk).video_id == video.pk
    # B's unused video is nobody's lesson yet: not the editor's to hand out.
    response = client.post(
        edit_url(page), edit_form_data(page, video=b_videos["ready"].pk)
    )
    assert field_errors(response, "video") == [VIDEO_REFUSED]


# --- The video chooser and the Video snippet views -------------------------------


def test_video_chooser_lists_only_the_teachers_own_free_videos(
    alliance_users, b_videos, login
):
    teacher_a = alliance_users["teacher_a"]
    make_video(teacher_a, title="A 自己的视频")
    client = login(teacher_a)
    viewset = Video.snippet_viewset.chooser_viewset

    for name in ("choose", "choose_results"):
        response = client.get(reverse(viewset.get_url_name(name)))
        assert response.status_code == 200
        html = (
            response.json()["html"] if name == "choose" else response.content.decode()
        )
        assert "A 自己的视频" in html
        for video in b_videos.values():
            assert video.title not in html, (name, video.title)
    response = client.get(reverse(viewset.get_url_name("choose_results")), {"q": "B"})
    assert "B 就绪的视频" not in response.content.decode()
    # The "chosen" step would hand over the title of any id.
    for video in b_videos.values():
        chosen = client.get(reverse(viewset.get_url_name("chosen"), args=[video.pk]))
        assert chosen.status_code == 404


def test_video_snippet_views_hide_other_peoples_videos(alliance_users, b_videos, login):
    # A member of staff allowed to manage videos, but no administrator.
    clerk = UserFactory(username="media_clerk")
    clerk.groups.add(*alliance_users["teacher_a"].groups.all())
    clerk.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="media_pipeline",
            codename__in=["view_video", "change_video"],
        )
    )
    own = make_video(clerk, title="职员自己的视频")
    client = login(clerk)
    viewset = Video.snippet_viewset
    listing = client.get(reverse(viewset.get_url_name("list")))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert own.title in html
    for video in b_videos.values():
        assert video.title not in html
        for name in ("edit", "inspect", "usage", "history"):
            url = reverse(viewset.get_url_name(name), args=[video.pk])
            assert client.get(url).status_code == 404, (name, video.title)
    assert (
        client.get(reverse(viewset.get_url_name("edit"), args=[own.pk])).status_code
        == 200
    )


# --- The author field --------------------------------------------------------------


def test_teacher_cannot_name_another_teacher_author(alliance_users, make_draft, login):
    teacher_a, teacher_b = alliance_users["teacher_a"], alliance_users["teacher_b"]
    page = make_draft(teacher_a)
    client = login(teacher_a)

    form = client.get(edit_url(page)).context["form"]
    assert list(form.fields["author"].queryset) == [teacher_a]

    for value in (teacher_b.pk, fullwidth(teacher_b.pk), str(2**63), "x"):
        response = client.post(edit_url(page), edit_form_data(page, author=value))
        assert field_errors(response, "author") == [AUTHOR_REFUSED], value
    assert LessonPage.objects.get(pk=page.pk).author_id == teacher_a.pk

    response = client.post(
        add_url(subject_page()), create_form_data("A 冒名", author=teacher_b.pk)
    )
    assert field_errors(response, "author") == [AUTHOR_REFUSED]
    assert not LessonPage.objects.filter(title="A 冒名").exists()


def test_teacher_keeps_an_author_someone_else_set(alliance_users, make_draft, login):
    teacher_a, teacher_b = alliance_users["teacher_a"], alliance_users["teacher_b"]
    page = make_draft(teacher_a)
    page.author = teacher_b  # set by an administrator
    page.save()
    page.save_revision(user=alliance_users["admin"])
    client = login(teacher_a)

    response = client.post(
        edit_url(page), edit_form_data(page, author=teacher_a.pk, summary="改了")
    )

    assert response.status_code == 302
    page = LessonPage.objects.get(pk=page.pk)
    assert page.summary == "改了"
    assert page.author_id == teacher_b.pk


def test_editor_in_scope_may_name_any_teacher_author(alliance_users, make_draft, login):
    teacher_a, teacher_b = alliance_users["teacher_a"], alliance_users["teacher_b"]
    departed = UserFactory(username="departed", is_active=False)
    page = make_draft(teacher_a)
    assert submit(login(teacher_a), page).status_code == 302
    client = login(alliance_users["math_editor"])

    offered = client.get(edit_url(page)).context["form"].fields["author"].queryset
    assert {teacher_a, teacher_b} <= set(offered)
    assert departed not in offered
    response = client.post(edit_url(page), edit_form_data(page, author=departed.pk))
    assert field_errors(response, "author") == [AUTHOR_REFUSED]

    response = client.post(edit_url(page), edit_form_data(page, author=teacher_b.pk))

    assert response.status_code == 302
    assert LessonPage.objects.get(pk=page.pk).author_id == teacher_b.pk


# --- Attachments (Wagtail documents) ------------------------------------------------

DOCUMENT_REFUSED = "这份文档不是您上传的，不能作为附件。"


def make_document(owner, title):
    from wagtail.documents.models import Document

    document = Document(title=title, uploaded_by_user=owner)
    document.file.save("handout.pdf", ContentFile(b"%PDF-1.4 secret"), save=False)
    document.save()
    return document


def may_download(client, document) -> bool:
    url = reverse("wagtaildocs_serve", args=[document.pk, document.filename])
    return client.get(url).status_code == 200


def test_teacher_cannot_attach_another_teachers_draft_document(
    alliance_users, make_draft, login
):
    from catalog.models import ResourceAttachment

    teacher_a, teacher_b = alliance_users["teacher_a"], alliance_users["teacher_b"]
    secret = make_document(teacher_b, "B 草稿的讲义")
    ResourceAttachment.objects.create(page=make_draft(teacher_b), document=secret)
    mine = make_document(teacher_a, "A 自己的讲义")
    page = make_draft(teacher_a)
    client = login(teacher_a)
    assert not may_download(client, secret)

    # The chooser lists only A's own documents.
    chooser = client.get(reverse("wagtaildocs_chooser:choose")).json()["html"]
    assert mine.title in chooser and secret.title not in chooser

    for value in (secret.pk, fullwidth(secret.pk), "abc"):
        attachments = inline_formset([{"document": value, "title": "讲义"}])
        response = client.post(
            edit_url(page), edit_form_data(page, attachments=attachments)
        )
        assert response.status_code == 200, value
        form = response.context["form"].formsets["attachments"].forms[0]
        assert [str(e) for e in form.errors["document"]] == [DOCUMENT_REFUSED]
        assert secret.title not in response.content.decode()
    assert not ResourceAttachment.objects.filter(page=page).exists()
    assert not may_download(client, secret)

    attachments = inline_formset([{"document": mine.pk, "title": "讲义"}])
    response = client.post(
        edit_url(page), edit_form_data(page, attachments=attachments)
    )
    assert response.status_code == 302
    assert may_download(client, mine)


# --- School and district ------------------------------------------------------------


@pytest.mark.parametrize("field", ["school", "district"])
@pytest.mark.parametrize("value", ["abc", "１x", "1 OR 1=1"])
def test_junk_taxonomy_ids_are_form_errors(
    field, value, alliance_users, make_draft, login
):
    teacher_a = alliance_users["teacher_a"]
    page = make_draft(teacher_a)
    client = login(teacher_a)

    response = client.post(edit_url(page), edit_form_data(page, **{field: value}))

    assert field_errors(response, field)
    assert getattr(LessonPage.objects.get(pk=page.pk), f"{field}_id") is None


def test_district_must_be_the_schools(alliance_users, make_draft, login):
    # The district routes the review to district editors: a teacher cannot
    # pair their school with another district to pick their reviewers.
    from catalog.models import District, School

    home = District.objects.create(code="home-district", name="本区")
    other = District.objects.create(code="other-district", name="他区")
    school = School.objects.create(name="本区第一中学", district=home)
    teacher_a = alliance_users["teacher_a"]
    page = make_draft(teacher_a)
    client = login(teacher_a)

    response = client.post(
        edit_url(page), edit_form_data(page, school=school.pk, district=other.pk)
    )

    assert field_errors(response, "district") == ["区县与所选学校所在的区县不一致。"]
    assert LessonPage.objects.get(pk=page.pk).district_id is None
    response = client.post(
        edit_url(page), edit_form_data(page, school=school.pk, district=home.pk)
    )
    assert response.status_code == 302


# --- The site's upload form ------------------------------------------------------


def finished_upload(owner, video, status="complete"):
    from ingest.models import Upload

    return Upload.objects.create(
        owner=owner,
        filename="x.mp4",
        title="x",
        length=32,
        offset=32,
        status=status,
        video=video,
    )


def upload_post(client, finished, **extra):
    page = subject_page()
    data = {"upload": str(finished.pk), "title": "上传的微课", "subject_page": page.pk}
    data.update(extra)
    return client.post(reverse("portal:upload_finish"), data)


def test_upload_form_refuses_a_duplicate_that_is_another_teachers_video(
    alliance_users, b_videos, login
):
    teacher_a = alliance_users["teacher_a"]
    client = login(teacher_a)
    for video in b_videos.values():
        # Same bytes as B's video: the upload points at B's video.
        upload = finished_upload(teacher_a, video, status="duplicate")
        response = upload_post(client, upload)
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["upload"]
        assert not may_fetch(client, video)
    assert not LessonPage.objects.filter(title="上传的微课").exists()


def test_upload_form_refuses_hostile_ids(alliance_users, b_videos, login):
    teacher_a = alliance_users["teacher_a"]
    teacher_b = alliance_users["teacher_b"]
    client = login(teacher_a)
    mine = finished_upload(teacher_a, make_video(teacher_a))
    theirs = finished_upload(teacher_b, b_videos["ready"])
    hostile = [
        ({"upload": str(theirs.pk)}, "upload"),
        ({"upload": str(theirs.pk).upper()}, "upload"),
        ({"upload": "../" + str(mine.pk)}, "upload"),
        ({"subject_page": str(2**63)}, "subject_page"),
        ({"subject_page": fullwidth(subject_page().pk) + "x"}, "subject_page"),
        ({"subject_page": LessonPage.objects.first().pk}, "subject_page"),
        ({"knowledge_points": [str(2**63)]}, "knowledge_points"),
        ({"knowledge_points": ["abc"]}, "knowledge_points"),
        ({"grade": "-1"}, "grade"),
    ]
    for extra, field in hostile:
        response = upload_post(client, mine, **extra)
        assert response.status_code == 400, extra
        assert field in response.json()["errors"], extra
    assert not LessonPage.objects.filter(title="上传的微课").exists()
    # The same form, honest, works: the hostile cases failed for their id.
    assert upload_post(client, mine).status_code == 201


@pytest.mark.parametrize("value", ["²", "٣", "9" * 30])
def test_publish_with_a_junk_video_id_is_a_form_error(
    value, alliance_users, make_draft, login
):
    # The life-cycle guard reads the posted video before the form does: it must
    # read the id by the same rule (catalog.ids), not crash on "²" or 10**30.
    teacher_a = alliance_users["teacher_a"]
    page = make_draft(teacher_a)
    client = login(teacher_a)
    data = edit_form_data(page, video=value, **{"action-publish": "1"})
    response = client.post(edit_url(page), data)
    # Refused by the guard (a junk id names no video), back to the editor.
    assert response.status_code == 302
    assert response["Location"] == edit_url(page)
    stored = LessonPage.objects.get(pk=page.pk)
    assert not stored.live and stored.video_id == page.video_id
