"""Short share links: /l/<id>/ leads to a live lesson or resource page; a
draft, a page that is not an entry, or any malformed id is a 404."""

import pytest

from tests.fixtures_site import make_lessons

pytestmark = pytest.mark.django_db


def test_short_link_leads_to_the_live_entry_and_the_page_offers_it(
    client, taxonomy, clean_cache
):
    page = make_lessons(1, title="短链接的课")[0]
    response = client.get(f"/l/{page.pk}/")
    assert response.status_code == 302
    assert response["Location"] == page.url
    html = client.get(page.url).content.decode()
    assert f'value="http://testserver/l/{page.pk}/"' in html


def test_short_link_hides_drafts_and_other_pages(client, taxonomy):
    from tests.factories import subject_page

    draft = make_lessons(1, live=False)[0]
    for pk in (draft.pk, subject_page().pk):
        assert client.get(f"/l/{pk}/").status_code == 404


@pytest.mark.parametrize(
    "suffix",
    ["99999999999999999999/", "%2e%2e/", "..%2f1/", "1%00/", "１/", "1\\/", "-1/"],
)
def test_short_link_hostile_ids_are_404(client, taxonomy, suffix):
    assert client.get(f"/l/{suffix}").status_code == 404
