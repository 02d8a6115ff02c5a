import pytest
from django.urls import reverse

from catalog.models import KnowledgePoint
from tests.factories import UserFactory

from .test_knowledge_import import GOOD, HEADER

URL = "/admin/catalog/knowledge-import/"


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def upload(client, content: str, name="kp.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(URL, {"file": SimpleUploadedFile(name, content.encode())})


def test_preview_then_confirm(admin_client, taxonomy):
    response = upload(admin_client, GOOD)
    assert response.status_code == 200
    body = response.content.decode()
    assert "二次函数的图像与性质" in body
    assert not KnowledgePoint.objects.exists()  # preview writes nothing
    token = response.context["token"]
    response = admin_client.post(URL, {"token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "wagtailsnippets_catalog_knowledgepoint:list"
    )
    assert KnowledgePoint.objects.count() == 3


def test_bad_file_shows_every_error_and_no_confirm(admin_client, taxonomy):
    response = upload(admin_client, HEADER + "X,<b>甲</b>,NOPE,初中,数学,,,\n")
    body = response.content.decode()
    assert "未知的上级知识点 NOPE" in body and "Unknown parent" not in body
    assert 'name="token"' not in body
    assert not KnowledgePoint.objects.exists()


def test_token_cannot_point_outside_the_import_folder(admin_client, taxonomy):
    response = admin_client.post(URL, {"token": "../../etc/passwd"})
    assert response.status_code == 302
    assert response["Location"] == URL


def test_teacher_cannot_import(client, taxonomy):
    client.force_login(UserFactory(username="t1", is_staff=True))
    assert upload(client, GOOD).status_code in (302, 403)
    assert not KnowledgePoint.objects.exists()


def test_menu_link_shown_only_to_those_the_view_admits(client, db):
    """A user who may add but not change knowledge points is refused by the
    import, so the admin menu must not offer it to them."""
    from django.contrib.auth.models import Permission

    def perm(codename):
        return Permission.objects.get(
            content_type__app_label="catalog", codename=codename
        )

    access = Permission.objects.get(codename="access_admin")
    user = UserFactory(username="kp_adder")
    user.user_permissions.add(access, perm("add_knowledgepoint"))
    client.force_login(user)
    denied = client.get(URL)  # Wagtail answers PermissionDenied with a redirect
    assert (denied.status_code, denied["Location"]) == (302, "/admin/")
    assert URL not in client.get("/admin/").content.decode()

    user.user_permissions.add(perm("change_knowledgepoint"))
    user = type(user).objects.get(pk=user.pk)  # fresh permission cache
    client.force_login(user)
    assert client.get(URL).status_code == 200
    assert URL in client.get("/admin/").content.decode()
