"""Fixtures owned by the site work; loaded from tests/conftest.py."""

import pytest


@pytest.fixture
def site_demo(demo):
    """The demo alliance (46 lessons, 183 knowledge points) with a clean cache
    (`demo` starts with one), cleared again after the test."""
    from django.core.cache import cache

    yield demo
    cache.clear()


@pytest.fixture
def teacher_client(client, site_demo):
    client.force_login(site_demo["teacher_wang"])
    return client


@pytest.fixture
def clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def kp_tree(taxonomy):
    """A small junior-maths knowledge tree placed in one textbook unit:

    函数 (root, no grade) → 一次函数 (八年级, unit 第十九章) → 一次函数的图像
    (placed too) and 正比例函数 (placed, stays empty).
    """
    from catalog.models import (
        Grade,
        KnowledgePointPlacement,
        Textbook,
        TextbookEdition,
        Unit,
    )
    from tests.factories import KnowledgePointFactory

    grade = Grade.objects.get(name="八年级")
    edition = TextbookEdition.objects.get(code="pep")
    from catalog.models import Subject

    book = Textbook.objects.create(
        edition=edition,
        subject=Subject.objects.get(code="maths"),
        grade=grade,
        volume="八年级下册",
    )
    unit = Unit.objects.create(textbook=book, title="第十九章 一次函数")
    unit_empty = Unit.objects.create(textbook=book, title="第十七章 勾股定理")
    root = KnowledgePointFactory(code="T-FN", name="函数")
    linear = KnowledgePointFactory(
        code="T-FN-1", name="一次函数", parent=root, grade=grade
    )
    graph = KnowledgePointFactory(
        code="T-FN-1-1", name="一次函数的图像", parent=linear, grade=grade
    )
    prop = KnowledgePointFactory(
        code="T-FN-1-2", name="正比例函数", parent=linear, grade=grade
    )
    pythag = KnowledgePointFactory(code="T-PY", name="勾股定理", grade=grade)
    for kp, u in ((linear, unit), (graph, unit), (prop, unit), (pythag, unit_empty)):
        KnowledgePointPlacement.objects.create(
            knowledge_point=kp, edition=edition, unit=u
        )
    return {
        "root": root,
        "linear": linear,
        "graph": graph,
        "prop": prop,
        "pythag": pythag,
        "unit": unit,
        "unit_empty": unit_empty,
        "textbook": book,
        "grade": grade,
    }


def make_lessons(n, knowledge_points=(), **kwargs):
    """n live, published micro-lessons under junior maths."""
    from django.utils import timezone

    from portal.cache import bump_catalog_version
    from tests.factories import LessonPageFactory

    pages = []
    for _ in range(n):
        page = LessonPageFactory(knowledge_points=list(knowledge_points), **kwargs)
        page.first_published_at = page.last_published_at = timezone.now()
        page.save(update_fields=["first_published_at", "last_published_at"])
        pages.append(page)
    # Real lessons are published through Wagtail, which bumps the version.
    bump_catalog_version()
    return pages


def make_video(status="ready", **fields):
    """A Video row in a given pipeline state (file names only: no bytes needed)."""
    from media_pipeline.models import Video

    video = Video(title="测试视频", status=status, **fields)
    video.file.name = "originals/test.mp4"
    video.save()
    return video


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A real redis-server on a free port (fails, not skips, when it cannot start)."""
    import shutil
    import socket
    import subprocess
    import time

    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed (scripts/install-system-deps.sh)"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    workdir = tmp_path_factory.mktemp("site-redis")
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert proc.poll() is None, "redis-server exited at start"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def redis_cache(redis_server, settings):
    """The default cache switched to the real Redis server for one test."""
    from django.core.cache import cache

    # Django's setting_changed handler rebuilds the cache connections.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server,
        }
    }
    cache.clear()
    yield cache
    cache.clear()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    # The generated test clip has sound; headless playback needs no gesture.
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never `playwright install`)."""
    import os

    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make around it are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot_dir(tmp_path):
    """Where browser tests put screenshots: docs/screenshots/ when
    WEIKE_SCREENSHOTS=1 (to refresh the committed ones), else a temp folder."""
    import os
    from pathlib import Path

    if os.environ.get("WEIKE_SCREENSHOTS") == "1":
        path = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path


DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740}
# The phone of issue 16's journeys, and both sizes those tests run at.
PHONE_390 = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE_390}


def admin_login(page, base, username):
    """Sign in through the admin's real login form (django-axes sees it)."""
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "weike-demo")
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}/admin/")


def play_lesson_video(page, past: float = 1.0) -> None:
    """Start the page's player (muted, so headless Chromium allows it) and
    wait until it has played `past` seconds through hls.js (Chromium has no
    native HLS: hls.js attaches a MediaSource and fetches the segments)."""
    page.locator("[data-player] video").wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-player]').dataset.engine !== undefined"
    )
    page.evaluate("document.querySelector('[data-player] video').muted = true")
    page.evaluate("document.querySelector('[data-player] video').play()")
    page.wait_for_function(
        f"() => document.querySelector('[data-player] video').currentTime > {past}",
        timeout=30_000,
    )
    assert page.locator("[data-player]").get_attribute("data-engine") == "hls.js"


def shoot(browser_context_page, directory, name):
    """Desktop and phone screenshots of the page currently open."""
    page = browser_context_page
    url = page.url
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(directory / f"{name}-desktop.png"))
    page.set_viewport_size(PHONE)
    page.goto(url)
    page.screenshot(path=str(directory / f"{name}-phone.png"))
    # Nothing wider than the phone: no horizontal scrolling at 360 px.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.set_viewport_size(DESKTOP)
    return overflow


@pytest.fixture
def site_live(live_server, transactional_db):
    """The demo alliance behind a live server, for browser tests.

    Transactional tests flush the database, including the rows Wagtail's
    migrations made (root page, locale, root collection): put those back first.
    """
    from django.core.cache import cache
    from wagtail.models import Collection, Locale, Page

    from demo.seeding import seed_demo

    wagtail_roots = wagtail_defaults_migration()
    cache.clear()
    locale, _ = Locale.objects.get_or_create(language_code="zh-hans")
    if Page.get_first_root_node() is None:
        Page.add_root(
            instance=Page(title=wagtail_roots.ROOT_PAGE, slug="root", locale=locale)
        )
    if not Collection.objects.exists():
        Collection.add_root(name=wagtail_roots.ROOT_COLLECTION)
    restore_alliance_roles()
    users = seed_demo()
    yield live_server.url, users
    cache.clear()


def wagtail_defaults_migration():
    """alliance 0003: the Chinese names of Wagtail's root page and collection."""
    import importlib

    return importlib.import_module(
        "alliance.migrations.0003_wagtail_defaults_in_chinese"
    )


def restore_alliance_roles():
    """Re-run alliance's data migration (groups, permissions, the 微课审核
    workflow) with the historical app registry, as a fresh install has it."""
    import importlib

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    name = "0002_roles_rubric_workflow"
    module = importlib.import_module(f"alliance.migrations.{name}")
    state = MigrationExecutor(connection).loader.project_state(("alliance", name))
    module.forwards(state.apps, None)
