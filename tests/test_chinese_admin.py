import importlib.util
import sys
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent


def _supplement():
    """The first 40 plain entries of weike's .po, the source of the Chinese
    for the Wagtail admin strings Wagtail's own zh_Hans lacks."""
    spec = importlib.util.spec_from_file_location(
        "wagtail_zh_missing", ROOT / "scripts" / "wagtail_zh_missing.py"
    )
    script = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = script  # dataclasses look their module up
    spec.loader.exec_module(script)
    entries = script.parse_po(ROOT / "weike/locale/zh_Hans/LC_MESSAGES/django.po")
    plain = [
        (e.msgid, e.msgstr[0])
        for e in entries
        if e.msgid and e.translated and e.msgid_plural is None and e.msgctxt is None
    ]
    return plain[:40]


@pytest.mark.parametrize("msgid, msgstr", _supplement())
def test_wagtail_strings_missing_upstream_come_back_in_chinese(msgid, msgstr):
    with translation.override("zh-hans"):
        assert translation.gettext(msgid) == msgstr


def test_no_python_translation_tables():
    # One way to translate: the .po files are the only source.
    assert not list(ROOT.glob("*/translations_zh.py"))


@pytest.mark.django_db
def test_admin_login_page_is_chinese_by_default(client):
    body = client.get("/admin/login/").content.decode()
    assert 'lang="zh-hans"' in body
    assert "登录" in body
