import pytest
from django.utils import translation

from weike.translations_zh import ZH


@pytest.mark.parametrize("msgid", [k for k in list(ZH)[:40] if isinstance(k, str)])
def test_wagtail_strings_missing_upstream_come_back_in_chinese(msgid):
    with translation.override("zh-hans"):
        assert translation.gettext(msgid) == ZH[msgid]


@pytest.mark.django_db
def test_admin_login_page_is_chinese_by_default(client):
    body = client.get("/admin/login/").content.decode()
    assert 'lang="zh-hans"' in body
    assert "登录" in body
