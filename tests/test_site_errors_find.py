"""Chinese error pages and the /find/ search page."""

import pytest
from django.template.loader import render_to_string

from tests.fixtures_site import make_lessons

pytestmark = pytest.mark.django_db


def test_404_page_is_chinese(client, taxonomy):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "Page not found" not in html
    assert "<title>页面不存在" in html
    client.cookies["django_language"] = "en"
    html = client.get("/no/such/page/").content.decode()
    assert "<title>Page not found" in html and "页面不存在" not in html


def test_500_page_renders_without_context():
    from django.utils import translation

    html = render_to_string("500.html")
    assert "服务器出错了" in html and "Server error" not in html
    with translation.override("en"):
        html = render_to_string("500.html")
    assert '<html lang="en">' in html and "Server error" in html
    assert "服务器出错了" not in html


def test_403_page_is_chinese(client, taxonomy):
    from tests.factories import UserFactory

    page = make_lessons(1)[0]
    client.force_login(UserFactory())
    response = client.get(f"/lessons/{page.pk}/status/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_find_highlights_and_filters_by_facet(client, site_demo):
    html = client.get("/find/", {"q": "函数"}).content.decode()
    assert "<mark>函数</mark>" in html
    assert 'data-facet="subject"' in html
    assert "找到" in html
    # Apply the stage facet: every hit is then a senior-school one.
    filtered = client.get("/find/", {"q": "函数", "stage": "senior"}).content.decode()
    assert 'aria-current="true"' in filtered
    hits = filtered.split('class="plain hits"')[1]
    assert "初中数学" not in hits and "高中数学" in hits


def test_find_reports_bad_parameters_in_both_languages(client, taxonomy):
    response = client.get("/find/", {"q": "x", "stage": "nowhere"})
    assert response.status_code == 400
    assert "未知的学段" in response.content.decode()
