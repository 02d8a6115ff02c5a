"""Featured collections stay inside an editor's scope: they list, edit and
delete only collections of their stage and subject, and may not create one for
another subject or fill one with another subject's lessons. Administrators
curate anything. Driven through Wagtail's snippet views."""

import pytest
from django.urls import reverse

from alliance.models import FeaturedCollection, FeaturedCollectionItem
from catalog.models import Stage, Subject

pytestmark = pytest.mark.django_db

URLS = "wagtailsnippets_alliance_featuredcollection"


def _collection(stage, subject, title):
    return FeaturedCollection.objects.create(
        title=title,
        stage=Stage.objects.get(code=stage),
        subject=Subject.objects.get(code=subject),
    )


def _form(stage, subject, pages, title="新专题"):
    data = {
        "title": title,
        "description": "",
        "stage": Stage.objects.get(code=stage).pk,
        "subject": Subject.objects.get(code=subject).pk,
        "is_active": "on",
        "sort_order": "0",
        "items-TOTAL_FORMS": str(len(pages)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for i, page in enumerate(pages):
        data[f"items-{i}-page"] = page.pk
        data[f"items-{i}-note"] = ""
        data[f"items-{i}-ORDER"] = str(i + 1)
        data[f"items-{i}-id"] = ""
    return data


def test_editor_sees_and_changes_only_own_subject(alliance_users, login):
    maths = _collection("junior", "maths", "数学专题")
    chinese = _collection("junior", "chinese", "语文专题")
    client = login(alliance_users["math_editor"])

    listing = client.get(reverse(f"{URLS}:list"))
    assert listing.status_code == 200
    assert "数学专题" in listing.content.decode()
    assert "语文专题" not in listing.content.decode()

    assert client.get(reverse(f"{URLS}:edit", args=[maths.pk])).status_code == 200
    assert client.get(reverse(f"{URLS}:edit", args=[chinese.pk])).status_code == 404
    resp = client.post(reverse(f"{URLS}:delete", args=[chinese.pk]))
    assert resp.status_code == 404
    assert FeaturedCollection.objects.filter(pk=chinese.pk).exists()


def test_editor_cannot_create_out_of_scope_or_with_foreign_lessons(
    alliance_users, make_draft, login
):
    teacher = alliance_users["teacher_a"]
    own = make_draft(teacher, subject="maths", title="数学课")
    foreign = make_draft(teacher, subject="chinese", title="语文课")
    client = login(alliance_users["math_editor"])
    add = reverse(f"{URLS}:add")

    resp = client.post(add, _form("junior", "chinese", [], title="越权专题"))
    assert resp.status_code == 200  # the form again, with the reason
    assert "不负责" in resp.content.decode()
    assert not FeaturedCollection.objects.filter(title="越权专题").exists()

    resp = client.post(add, _form("junior", "maths", [own, foreign], title="混合专题"))
    assert resp.status_code == 200
    assert "《语文课》不属于" in resp.content.decode()
    assert not FeaturedCollection.objects.filter(title="混合专题").exists()

    resp = client.post(add, _form("junior", "maths", [own], title="数学专题"))
    assert resp.status_code == 302
    created = FeaturedCollection.objects.get(title="数学专题")
    assert [i.page_id for i in created.items.all()] == [own.pk]


def test_administrator_curates_anything(alliance_users, make_draft, login):
    teacher = alliance_users["teacher_a"]
    lesson = make_draft(teacher, subject="chinese", title="语文课")
    chinese = _collection("junior", "chinese", "语文专题")
    FeaturedCollectionItem.objects.create(collection=chinese, page=lesson)
    client = login(alliance_users["admin"])
    assert client.get(reverse(f"{URLS}:edit", args=[chinese.pk])).status_code == 200
    resp = client.post(
        reverse(f"{URLS}:add"), _form("junior", "physics", [lesson], title="跨科专题")
    )
    assert resp.status_code == 302
    assert FeaturedCollection.objects.filter(title="跨科专题").exists()
