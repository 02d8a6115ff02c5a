"""No English left in zh-hans site pages: the footer on every page and the
400 page."""

import re

import pytest

# Page text and language do not depend on the database engine: SQLite pass only.
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_pass]


def test_footer_is_chinese_only(client, taxonomy):
    html = client.get("/browse/").content.decode()
    footer = html.split('<footer class="site">')[1].split("</footer>")[0]
    assert "微课联盟资源库" in footer
    assert not re.search(r"[A-Za-z]{3,}", footer), footer


def test_footer_follows_the_language(client, taxonomy):
    client.cookies["django_language"] = "en"
    html = client.get("/browse/").content.decode()
    footer = html.split('<footer class="site">')[1].split("</footer>")[0]
    assert "Micro-lesson alliance resource repository" in footer
    assert "微课" not in footer


def test_400_page_is_chinese(client, taxonomy, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client.get("/browse/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "请求有误" in html
    assert "Bad Request" not in html
    assert not re.search(r">[^<]*[A-Za-z]{4,}[^<]*<", html.split("<body>")[1])
