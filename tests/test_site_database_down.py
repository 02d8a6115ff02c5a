"""A lost database answers 503 with one sentence and Retry-After (a page on
the site, JSON on the API and uploads), not the generic 500 page; any other
server error still gets the 500 page. The real outage (PostgreSQL stopped and
started under gunicorn) is in tests/test_prod_stack.py."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.utils import translation

from tests.factories import UserFactory

SENTENCE = "The database cannot be reached right now. Please try again shortly."


@pytest.fixture
def database_gone(monkeypatch):
    """Every query from here on fails as with PostgreSQL stopped."""

    def refuse(self):
        raise OperationalError("connection refused")

    return lambda: monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)


def logged_in_client() -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_page_without_its_database_says_so_in_one_sentence(database_gone, lang):
    client = logged_in_client()
    database_gone()
    response = client.get("/my/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    with translation.override(lang):
        expected = translation.gettext(SENTENCE)
    assert f"<p>{expected}</p>" in response.content.decode()
    if lang == "zh-hans":
        assert expected != SENTENCE


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"), [("get", "/api/v1/lessons/?q=x"), ("post", "/ingest/tus/")]
)
def test_api_and_uploads_get_json_without_their_database(database_gone, method, path):
    client = logged_in_client()
    database_gone()
    response = getattr(client, method)(
        path, HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_UPLOAD_LENGTH="1000"
    )
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    with translation.override("zh-hans"):
        expected = translation.gettext(SENTENCE)
    assert response.json() == {"code": "database_unavailable", "detail": expected}


@pytest.mark.django_db
def test_other_server_errors_still_get_the_500_page(monkeypatch):
    from portal import views

    def broken(*args, **kwargs):
        raise ValueError("a bug, not an outage")

    client = logged_in_client()
    monkeypatch.setattr(views.my_lessons, "my_entries", broken)
    response = client.get("/my/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 500
    assert "Retry-After" not in response
