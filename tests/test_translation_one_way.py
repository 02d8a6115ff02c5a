"""One way to translate: gettext with the .po files as the only source.

A zh-hans request and an en request each get one whole sentence in their own
language, numbers filled in (never a `{duration}` or `%(min)s`, never the
Chinese sentence followed by the English one); and no Python module outside
the allowed places holds a Chinese string literal (tests/cjk_literals.py).
"""

import pytest
from django.urls import reverse

from media_pipeline.models import VideoStatus
from tests.cjk_literals import cjk_literals
from tests.fixtures_alliance import publish
from tests.fixtures_site import make_video

# Page text and language do not depend on the database engine: SQLite pass only.
pytestmark = [pytest.mark.sqlite_pass]

TOO_SHORT = {
    "zh-hans": "视频太短：20.0 秒，至少需要 30 秒。",
    "en": "The video is too short: 20.0 s; at least 30 s is required.",
}


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_upload_status_is_one_sentence_in_the_request_language(
    alliance_users, client, lang
):
    # As the worker leaves a rejected video: the code and its numbers.
    teacher = alliance_users["teacher_a"]
    video = make_video(
        VideoStatus.REJECTED,
        uploaded_by=teacher,
        reason="too_short",
        reason_params={"duration": 20.0, "min": 30},
    )
    client.force_login(teacher)
    body = client.get(
        reverse("media_pipeline:video-status", args=[video.pk]),
        HTTP_ACCEPT_LANGUAGE=lang,
    ).json()
    assert body["message"] == TOO_SHORT[lang]
    assert "message_zh" not in body and "message_en" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_worker_rejection_shows_once_on_my_lessons(
    alliance_users,
    make_draft,
    client,
    lang,
    media_clips,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    # A real too-short clip through the pipeline (probe, rules, rejection).
    from media_pipeline import services

    settings.MEDIA_ROOT = tmp_path / "media"
    teacher = alliance_users["teacher_a"]
    with (
        open(media_clips("short"), "rb") as handle,
        django_capture_on_commit_callbacks(execute=True),
    ):
        video = services.create_video(
            title="短片", fileobj=handle, original_filename="short.mp4"
        )
    video.refresh_from_db()
    assert video.status == VideoStatus.REJECTED and video.reason == "too_short"
    page = make_draft(teacher)
    page.video = video
    page.save()

    seconds = video.reason_params["duration"]
    short = {
        "zh-hans": f"视频太短：{seconds} 秒，至少需要 30 秒。",
        "en": f"The video is too short: {seconds} s; at least 30 s is required.",
    }
    client.force_login(teacher)
    html = client.get(reverse("portal:my"), HTTP_ACCEPT_LANGUAGE=lang).content
    html = html.decode()
    assert short[lang] in html
    assert short["en" if lang == "zh-hans" else "zh-hans"] not in html
    assert "{duration}" not in html and "%(duration)" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lang, detail",
    [("zh-hans", "参数 year 必须是整数。"), ("en", "year must be an integer.")],
)
def test_api_error_is_one_sentence(client, quota_users, lang, detail):
    client.force_login(quota_users["bureau"])
    response = client.get("/api/v1/quotas/?year=abc", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 400
    assert response.json() == {"param": "year", "detail": detail}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lang, shown, hidden",
    [
        ("zh-hans", "撤销精品必须填写理由。", "A reason is required"),
        ("en", "A reason is required to revoke a quality pick.", "撤销精品必须"),
    ],
)
def test_admin_message_is_one_sentence(
    alliance_users, make_draft, client, lang, shown, hidden
):
    page = publish(make_draft(alliance_users["teacher_a"]), alliance_users["admin"])
    client.force_login(alliance_users["math_editor"])
    response = client.post(
        reverse("alliance:revoke", args=[page.pk]),
        {"reason": ""},
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert shown in html
    assert hidden not in html
    assert " / " + hidden not in html


def test_no_chinese_string_literals_in_python_sources():
    found = cjk_literals()
    assert not found, "Chinese string literals outside the allowed places:\n" + (
        "\n".join(found)
    )


def test_the_scan_finds_a_chinese_literal(tmp_path):
    # The rule can fail: a UI string in Chinese is found, its docstring is not.
    module = tmp_path / "app" / "views.py"
    module.parent.mkdir()
    module.write_text('"""说明。"""\n\nMESSAGE = "已保存 / Saved"\n# 注释\n')
    assert cjk_literals(tmp_path, apps=("app",)) == ["app/views.py:3: '已保存 / Saved'"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lang, query, detail",
    [
        ("zh-hans", "knowledge_point=NOPE", "未知的知识点：NOPE。"),
        ("en", "knowledge_point=NOPE", "Unknown knowledge point: NOPE."),
        ("zh-hans", "stage=nope", "未知的学段：nope。"),
        ("en", "stage=nope", "Unknown stage: nope."),
    ],
)
def test_search_parameter_error_is_one_sentence(client, taxonomy, lang, query, detail):
    response = client.get(f"/api/v1/lessons/?{query}", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 400
    assert response.json()["detail"] == detail


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lang, sentence, other",
    [
        ("zh-hans", "未知的资源类型：nope（可选：", "Unknown resource type"),
        ("en", "Unknown resource type: nope (one of ", "未知的资源类型"),
    ],
)
def test_find_page_error_is_one_sentence(client, taxonomy, lang, sentence, other):
    response = client.get("/find/?type=nope", HTTP_ACCEPT_LANGUAGE=lang)
    html = response.content.decode()
    assert sentence in html
    assert other not in html


def test_the_site_scripts_hold_no_sentence():
    """upload.js and site.js read their sentences from the page (translated
    there); a Chinese literal in them would show in the English UI."""
    import re
    from pathlib import Path

    src = Path(__file__).resolve().parent.parent / "frontend" / "src"
    cjk = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3001-\u3002]")
    for script in sorted(src.glob("*.js")):
        code = "\n".join(
            line
            for line in script.read_text(encoding="utf-8").splitlines()
            if not line.lstrip().startswith("//")
        )
        assert not cjk.search(code), script.name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lang, ready, separator",
    [
        ("zh-hans", "视频已就绪（{status}）。", "；"),
        ("en", "The video is ready ({status}).", "; "),
    ],
)
def test_upload_page_gives_the_script_its_sentences(
    alliance_users, client, lang, ready, separator
):
    import html
    import re

    client.force_login(alliance_users["teacher_a"])
    page = client.get("/my/upload/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    status = re.search(r'<div id="u-status"[^>]*>', page, re.S).group(0)
    said = dict(re.findall(r'data-([\w-]+)="([^"]*)"', status))
    assert html.unescape(said["ready"]) == ready
    assert said["separator"] == separator
