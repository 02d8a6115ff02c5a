import importlib.util
import re
import sys
from pathlib import Path

import pytest
import wagtail.admin
from django.utils import translation

from tests.visible_text import VisibleText

# Page text and language do not depend on the database engine: SQLite pass only.
pytestmark = [pytest.mark.sqlite_pass]

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


# --- The admin screens teachers, editors and the bureau use -------------------

WAGTAIL_ADMIN = Path(wagtail.admin.__file__).parent / "templates"
# Names that are Latin in Chinese too, and what people typed (usernames).
LATIN_OK = {
    "Wagtail",
    "JavaScript",
    "URL",
    "Excel",
    "CSV",
    "PDF",
    "MP4",
    "HLS",
    "ID",
    "Email",
    "English",
    "teacher",
    "li",
    "editor",
    "math",
    "bureau",
    "admin",
}


# English Wagtail wrote into these screens (hard-coded labels, Python's
# True/False in cells, raw choice values), each fixed here. Still left and
# not asserted: a "None" in the explorer's listing, units (MB) and names.
FIXED = {"Actions", "Search", "True", "False", "micro_lesson", "Selected"}


def english_words(html):
    # Minus the time zone list (IANA names) and the language names of the
    # account page; a submit button's label is its value.
    parser = VisibleText(
        skip=("script", "style", "template", "svg", "select"), submit_values=True
    )
    parser.feed(html)
    words = set()
    for part in parser.parts:
        words |= {w for w in re.findall(r"[A-Za-z]{2,}", part) if w not in LATIN_OK}
    return words


@pytest.mark.django_db
def test_admin_screens_of_the_roles_have_no_english(demo, client):
    from django.contrib.auth import get_user_model

    from catalog.models import LessonPage, SubjectPage

    User = get_user_model()
    subject = SubjectPage.objects.get(stage__code="junior", subject__code="maths")
    lesson = (
        LessonPage.objects.live()
        .filter(stage__code="junior", subject__code="maths")
        .first()
    )
    screens = {
        "teacher_li": [
            "/admin/",
            f"/admin/pages/{subject.pk}/",
            f"/admin/pages/add/catalog/lessonpage/{subject.pk}/",
            f"/admin/pages/add/catalog/resourcepage/{subject.pk}/",
            "/admin/documents/",
            "/admin/documents/multiple/add/",
            "/admin/images/",
            "/admin/account/",
        ],
        "editor_math": [
            "/admin/",
            "/alliance/review/",
            f"/alliance/entries/{lesson.pk}/",
            "/admin/snippets/alliance/featuredcollection/",
            "/admin/snippets/alliance/featuredcollection/add/",
            "/admin/snippets/alliance/rubric/",
        ],
        "bureau": ["/admin/"],
    }
    found = {}
    for username, urls in screens.items():
        client.force_login(User.objects.get(username=username))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (username, url)
            html = response.content.decode()
            assert 'lang="zh-hans"' in html, url
            if words := english_words(html) & FIXED:
                found[f"{username} {url}"] = sorted(words)
    assert found == {}


@pytest.mark.django_db
def test_rubric_list_names_the_type_and_says_yes(demo, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="editor_math"))
    html = client.get("/admin/snippets/alliance/rubric/").content.decode()
    assert "micro_lesson" not in html and ">True<" not in html
    assert re.search(r'class="w-sr-only">\s*是\s*<', html)
    assert "微课" in html


@pytest.mark.django_db
def test_date_picker_button_gets_a_chinese_label(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert 'src="/static/weike/admin-labels.js" data-save-selected="保存所选"' in html
    script = (ROOT / "weike/static/weike/admin-labels.js").read_text()
    assert (
        ".xdsoft_save_selected" in script
        and "Save Selected" not in script.split("\n", 2)[2]
    )


@pytest.mark.parametrize(
    "name", ["wagtailadmin/home.html", "wagtailadmin/shared/header.html"]
)
def test_overridden_admin_templates_follow_wagtails(name):
    # Copies of Wagtail's templates whose only change is the search button's
    # label: after a Wagtail upgrade this fails until the copy is refreshed.
    ours = (ROOT / "templates" / name).read_text()
    theirs = (WAGTAIL_ADMIN / name).read_text()
    english = 'value="Search"'
    assert theirs.count(english) == 1
    assert ours == theirs.replace(english, 'value="{% translate "Search" %}"')
