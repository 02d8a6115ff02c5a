"""The English UI is whole English: the main site pages, rendered with the
English language cookie, show no Chinese outside content (titles, names,
summaries… typed by people, which stay as they are)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from tests.visible_text import VisibleText

# Page text and language do not depend on the database engine: SQLite pass only.
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_pass]

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


# The page's meta content is read too (description, og:title).
SHOWN = ("title", "aria-label", "placeholder", "alt", "content")


def content_strings():
    """What people typed: every CJK value of the content fields, longest first."""
    from wagtail.documents.models import Document
    from wagtail.models import Page, Task, Workflow

    from alliance.models import FeaturedCollection
    from catalog.models import (
        CatalogEntryPage,
        District,
        Grade,
        HomePage,
        KnowledgePoint,
        School,
        Stage,
        Subject,
        Textbook,
        TextbookEdition,
        Unit,
    )
    from dashboard.models import QuotaRule
    from media_pipeline.models import VideoCaption

    found = set()
    for model, fields in [
        (Page, ["title", "seo_title", "search_description"]),
        (HomePage, ["intro"]),
        (CatalogEntryPage, ["summary"]),
        (Stage, ["name"]),
        (Subject, ["name"]),
        (Grade, ["name"]),
        (TextbookEdition, ["name"]),
        (Textbook, ["volume"]),
        (Unit, ["title"]),
        (KnowledgePoint, ["name"]),
        (District, ["name"]),
        (School, ["name"]),
        (FeaturedCollection, ["title", "description"]),
        (Document, ["title"]),
        (VideoCaption, ["label"]),
        (QuotaRule, ["label"]),
        # Named by the alliance's administrator in the workflow editor (学科审核).
        (Task, ["name"]),
        (Workflow, ["name"]),
        (get_user_model(), ["first_name", "last_name"]),
    ]:
        for row in model.objects.values_list(*fields):
            found.update(v for v in row if v and CJK.search(v))
    # A quota's name is the bureau's own words (dashboard.models.TYPE_LABELS_ZH).
    found.update(rule.display_label for rule in QuotaRule.objects.all())
    for user in get_user_model().objects.all():
        found.add(user.get_full_name())
    # Summaries are shown cut (truncatechars) and with line breaks.
    found |= {line for text in list(found) for line in text.splitlines()}
    return sorted((s for s in found if s and CJK.search(s)), key=len, reverse=True)


def chinese_left(html, content):
    parser = VisibleText(shown=SHOWN)
    # Search hits mark the words found inside a title: read it whole.
    parser.feed(re.sub(r"</?mark>", "", html))
    left = []
    for part in parser.parts:
        if not CJK.search(part):
            continue
        rest = part
        for text in content:
            if text in rest:
                rest = rest.replace(text, " ")
        rest = re.sub(r"\S*…", " ", rest)  # a summary cut by truncatechars
        if CJK.search(rest):
            left.append(part)
    return left


def test_main_site_pages_in_english_have_no_chinese_but_content(demo, client):
    from catalog.models import KnowledgePoint, LessonPage, SubjectPage

    User = get_user_model()
    lesson = LessonPage.objects.live().filter(video__status="ready").first() or (
        LessonPage.objects.live().first()
    )
    subject = SubjectPage.objects.live().first()
    point = KnowledgePoint.objects.filter(entries__live=True).first() or (
        KnowledgePoint.objects.first()
    )
    pages = {
        None: [
            "/",
            "/browse/",
            f"/browse/{subject.stage.code}/{subject.subject.code}/",
            f"/browse/kp/{point.pk}/",
            subject.url,
            subject.get_parent().url,
            lesson.url,
            "/find/?q=%E5%87%BD%E6%95%B0",
            "/find/?q=zzzzqqq",
            "/login/",
            "/no/such/page/",
        ],
        "teacher_li": ["/my/", "/my/upload/"],
        "bureau": ["/dashboard/"],
        "editor_math": ["/alliance/review/"],
    }
    content = content_strings()
    client.cookies["django_language"] = "en"
    seen = {}
    for username, urls in pages.items():
        if username:
            client.force_login(User.objects.get(username=username))
        for url in urls:
            response = client.get(url)
            assert response.status_code in {200, 404} and (
                (response.status_code == 404) == (url == "/no/such/page/")
            ), (url, response.status_code)
            html = response.content.decode()
            assert '<html lang="en"' in html, url
            seen[url] = chinese_left(html, content)
    assert {url: left for url, left in seen.items() if left} == {}


def test_the_same_pages_stay_chinese_by_default(demo, client):
    # Without the cookie the UI is zh-hans: the sentences come back translated.
    html = client.get("/browse/").content.decode()
    assert "按学段、学科浏览" in html and "Browse by stage and subject" not in html
    with translation.override("zh-hans"):
        html = client.get("/").content.decode()
    assert "学段与学科" in html and "Stages and subjects" not in html
