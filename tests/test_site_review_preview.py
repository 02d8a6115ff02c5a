"""The draft preview on the site: the lesson's owner and the editors whose
scope covers it watch the draft before it is published; everybody else gets
403, and the review page links to it."""

import pytest

pytestmark = pytest.mark.django_db


def test_editor_in_scope_watches_the_draft_out_of_scope_editors_do_not(
    client, alliance_users, make_draft
):
    draft = make_draft(alliance_users["teacher_a"], title="待审的勾股定理")
    url = f"/my/lessons/{draft.pk}/preview/"
    for key in ("teacher_a", "math_editor", "admin"):
        client.force_login(alliance_users[key])
        response = client.get(url)
        assert response.status_code == 200, key
        assert "待审的勾股定理" in response.content.decode()
    for key in ("physics_editor", "chinese_editor", "teacher_b", "bureau"):
        client.force_login(alliance_users[key])
        assert client.get(url).status_code == 403, key
    client.logout()
    assert client.get(url)["Location"].startswith("/login/")


def test_review_page_links_to_the_draft_preview(client, alliance_users, make_draft):
    draft = make_draft(alliance_users["teacher_a"])
    client.force_login(alliance_users["math_editor"])
    html = client.get(f"/alliance/entries/{draft.pk}/").content.decode()
    assert f'href="/my/lessons/{draft.pk}/preview/"' in html


@pytest.mark.parametrize(
    "suffix", ["99999999999999999999/", "%2e%2e/", "1%00/", "１/", "..%5c1/"]
)
def test_preview_hostile_ids_are_404(client, alliance_users, suffix):
    client.force_login(alliance_users["math_editor"])
    assert client.get(f"/my/lessons/{suffix}preview/").status_code == 404
