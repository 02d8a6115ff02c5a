"""Each role lands on its own start page after the site's login, the nav links
editors to their queue and the bureau to its dashboard, and every site page
sends an anonymous visitor to the site's login (not the admin's)."""

import pytest

pytestmark = pytest.mark.django_db

PASSWORD = "pw-start-pages"


@pytest.fixture
def users(alliance_users):
    from tests.factories import UserFactory

    users = {
        "teacher_wang": alliance_users["teacher_a"],
        "editor_math": alliance_users["math_editor"],
        "bureau": alliance_users["bureau"],
        "admin": UserFactory(username="site_admin", is_superuser=True),
    }
    for user in users.values():
        user.set_password(PASSWORD)
        user.save()
    return users


def _login(client, user, **extra):
    return client.post(
        "/login/", {"username": user.username, "password": PASSWORD, **extra}
    )


@pytest.mark.parametrize(
    "username, start",
    [
        ("teacher_wang", "/my/"),
        ("editor_math", "/alliance/review/"),
        ("bureau", "/dashboard/"),
        ("admin", "/admin/"),
    ],
)
def test_login_without_next_lands_on_the_roles_start_page(
    client, users, username, start
):
    response = _login(client, users[username])
    assert response.status_code == 302
    assert response["Location"] == start
    assert client.get(start).status_code == 200


def test_login_form_carries_no_default_next(client, users):
    html = client.get("/login/").content.decode()
    assert 'name="next"' not in html
    assert "/accounts/profile/" not in html


def test_login_keeps_a_safe_next_and_refuses_an_outside_one(client, users):
    assert _login(client, users["bureau"], next="/browse/")["Location"] == "/browse/"
    client.logout()
    for hostile in (
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https:%2F%2Fevil.example",
        "／／evil.example",
    ):
        response = _login(client, users["bureau"], next=hostile)
        assert response["Location"] == "/dashboard/", hostile
        client.logout()


def test_nav_links_each_role_to_its_work(client, users):
    client.force_login(users["editor_math"])
    html = client.get("/browse/").content.decode()
    assert 'href="/alliance/review/"' in html
    assert 'href="/dashboard/"' not in html

    client.force_login(users["bureau"])
    html = client.get("/browse/").content.decode()
    assert 'href="/dashboard/"' in html
    assert 'href="/alliance/review/"' not in html

    client.force_login(users["teacher_wang"])
    html = client.get("/browse/").content.decode()
    assert 'href="/my/"' in html
    assert 'href="/dashboard/"' not in html
    assert 'href="/alliance/review/"' not in html


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/",
        "/dashboard/export.csv",
        "/my/",
        "/alliance/review/",
        "/alliance/review/next/?after=1",
        "/alliance/entries/1/",
    ],
)
def test_anonymous_site_pages_go_to_the_sites_login(client, users, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
