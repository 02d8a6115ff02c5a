"""The site's upload form has every field a lesson needs (年级, 教材版本, 学年),
with defaults from the teacher's own last lesson and the current school year,
and states the recording rules (from settings) before the upload starts."""

import pytest

from catalog.academic_year import current_academic_year
from catalog.models import Grade, LessonPage, TextbookEdition
from tests.factories import UserFactory, subject_page
from tests.fixtures_site import make_lessons
from tests.test_site_my import _finished_upload

pytestmark = pytest.mark.django_db


def _post(client, upload, **fields):
    return client.post(
        "/my/upload/finish/",
        {
            "upload": str(upload.pk),
            "title": "一次函数的图像画法",
            "subject_page": subject_page().pk,
            **fields,
        },
    )


def test_upload_page_states_the_rules_from_settings(client, taxonomy, settings):
    settings.MEDIA_VALIDATION = {**settings.MEDIA_VALIDATION, "MIN_DURATION": 45.0}
    settings.UPLOAD_MAX_SIZE = 2 * 1024**3
    client.force_login(UserFactory())
    html = client.get("/my/upload/").content.decode()
    rules = html.split('id="u-rules"')[1].split("</p>")[0]
    assert "45 秒" in rules
    assert "2.0 GB" in rules
    assert "MP4" in rules and "480" in rules
    # Submitting is never pre-ticked: a rejected video must not go to review.
    assert 'name="submit_for_review" value="1" checked' not in html


def test_upload_page_offers_grade_edition_and_year_with_defaults(client, taxonomy):
    me = UserFactory()
    grade8 = Grade.objects.get(name="八年级")
    bnu = TextbookEdition.objects.get(code="bnu")
    make_lessons(1, author=me, owner=me, grade=grade8, edition=bnu)
    client.force_login(me)
    html = client.get("/my/upload/").content.decode()
    assert f'<option value="{subject_page().pk}" data-stage="junior"' in html
    assert (
        f'value="{subject_page().pk}" data-stage="junior" data-subject="maths" selected'
        in html
    )
    assert (
        f'<option value="{grade8.pk}" data-stage="junior" selected>八年级</option>'
        in html
    )
    assert f'<option value="{bnu.pk}" selected>北师大版</option>' in html
    year = current_academic_year()
    assert f'name="academic_year" type="number" value="{year}"' in html


def test_finish_keeps_grade_edition_and_year(client, taxonomy):
    me = UserFactory()
    client.force_login(me)
    grade = Grade.objects.get(name="九年级")
    edition = TextbookEdition.objects.get(code="bnu")
    response = _post(
        client,
        _finished_upload(me),
        grade=grade.pk,
        edition=edition.pk,
        academic_year=2024,
    )
    assert response.status_code == 201, response.content
    page = LessonPage.objects.get(pk=response.json()["id"])
    assert (page.grade, page.edition, page.academic_year) == (grade, edition, 2024)


@pytest.mark.parametrize(
    "field, value",
    [
        ("academic_year", "99999999999999999999"),
        ("academic_year", "１９９９"),
        ("academic_year", "1999"),
        ("academic_year", "2024\x00"),
        ("edition", "999999"),
        ("edition", "1e3"),
        ("edition", "%2e%2e"),
        ("edition", "../1"),
        ("grade", "１"),
    ],
)
def test_finish_refuses_hostile_values_without_creating_anything(
    client, taxonomy, field, value
):
    me = UserFactory()
    client.force_login(me)
    before = LessonPage.objects.count()
    response = _post(client, _finished_upload(me), **{field: value})
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert LessonPage.objects.count() == before
