"""Attacks on signing in and on the deployment settings (issue 11, item 7).

Password guessing on the site's and the admin's login forms, the
Content-Security-Policy header, the production secret key and
`check --deploy`, and where a login without `next` lands.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent.parent
PASSWORD = "pw-for-tests"
LOCKED = "登录失败次数过多"
LOGINS = ["/login/", "/admin/login/"]


def attempt(client, url, username, password, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def hammer(client, url, username, times=6, **extra):
    for _ in range(times):
        attempt(client, url, username, "wrong-password", **extra)


@pytest.fixture
def staff(db):
    # A superuser may use both forms (Wagtail's needs admin access).
    return UserFactory(username="teacher", is_staff=True, is_superuser=True)


# --- Login throttling ---------------------------------------------------------


@pytest.mark.parametrize("url", LOGINS)
def test_right_password_after_six_wrong_ones_is_refused(client, staff, url):
    hammer(client, url, "teacher")
    response = attempt(client, url, "teacher", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)


@pytest.mark.parametrize("url", LOGINS)
def test_lockout_is_per_username_and_address(client, staff, url):
    UserFactory(username="colleague", is_staff=True, is_superuser=True)
    hammer(client, url, "teacher")
    assert attempt(client, url, "teacher", PASSWORD).status_code == 429
    # Another account from the same address still signs in ...
    response = attempt(client, url, "colleague", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)
    client.logout()
    # ... and so does the locked account from another address.
    response = attempt(client, url, "teacher", PASSWORD, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    assert signed_in(client)


def test_username_variants_count_against_the_same_account(client, staff):
    # The site's form trims and NFKC-normalises the user name, so these all
    # reach the account "teacher" and must all count as its failures.
    for variant in [
        "teacher",
        " teacher",
        "ｔｅａｃｈｅｒ",
        "teacher\t",
        "ｔeacher",
        "teacher",
    ]:
        attempt(client, "/login/", variant, "wrong-password")
    assert attempt(client, "/login/", "teacher", PASSWORD).status_code == 429
    assert not signed_in(client)


@pytest.mark.parametrize("url", LOGINS)
def test_forged_forwarded_for_does_not_escape_the_lockout(client, staff, url):
    # No proxy is configured: X-Forwarded-For is the client's own word.
    for n in range(6):
        attempt(
            client,
            url,
            "teacher",
            "wrong-password",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    response = attempt(
        client, url, "teacher", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert response.status_code == 429


def test_behind_a_proxy_the_address_it_appended_is_the_client(client, staff, settings):
    settings.WEIKE_TRUSTED_PROXY_COUNT = 1
    # nginx appends the peer address: the right-most entry. A client's own
    # left-hand entries change nothing.
    for n in range(6):
        attempt(
            client,
            "/login/",
            "teacher",
            "wrong-password",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 198.51.100.7",
        )
    locked = attempt(
        client, "/login/", "teacher", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert locked.status_code == 429
    # Another teacher behind the same nginx (same REMOTE_ADDR) is not locked.
    other = attempt(
        client, "/login/", "teacher", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    assert other.status_code == 302


def test_lockout_message_is_english_in_the_english_ui(client, staff):
    client.cookies["django_language"] = "en"
    hammer(client, "/login/", "teacher")
    response = attempt(client, "/login/", "teacher", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


# --- Where a login lands ------------------------------------------------------


@pytest.mark.parametrize(
    "next_url",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "https:evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_without_a_safe_next_lands_on_an_existing_page(client, staff, next_url):
    data = {"username": "teacher", "password": PASSWORD}
    if next_url is not None:
        data["next"] = next_url
    response = client.post("/login/", data)
    assert response.status_code == 302
    # An administrator's start page (portal/start.py), never the next.
    assert response.url == "/admin/"
    assert client.get(response.url).status_code == 200


def test_signed_in_visit_to_login_lands_on_an_existing_page(client, staff):
    client.force_login(staff)
    response = client.get("/login/")
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200


# --- Content-Security-Policy --------------------------------------------------


def directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/login/", "/browse/", "/find/?q=函数"])
def test_site_pages_carry_a_strict_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert "blob:" in policy["media-src"]


INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=", re.I
)


def site_templates():
    """Templates the site serves under the strict policy: all of ours except
    those built on Wagtail's admin (they get the admin policy)."""
    folders = [ROOT / "templates"] + sorted(ROOT.glob("*/templates"))
    for path in sorted(p for folder in folders for p in folder.rglob("*.html")):
        text = path.read_text()
        if "wagtailadmin/" not in text and "/.venv/" not in str(path):
            yield path, text


PROBE_CSP = [
    "-c",
    "import weike.settings.base as s; d = s.CONTENT_SECURITY_POLICY['DIRECTIVES']; "
    "print(' '.join(d['connect-src']), '|', ' '.join(d['media-src']))",
]


def test_policy_lets_the_player_reach_the_s3_endpoint_only(tmp_path):
    done = run_python(
        PROBE_CSP,
        tmp_path,
        WEIKE_S3_BUCKET="lessons",
        WEIKE_S3_ENDPOINT_URL="https://oss.example.edu.cn:9000/ignored/path",
        WEIKE_S3_ADDRESSING_STYLE="path",
        WEIKE_CSP_MEDIA_ORIGINS="https://cdn.example.edu.cn",
    )
    assert done.returncode == 0, done.stderr
    connect, media = done.stdout.strip().split(" | ")
    origins = "'self' https://oss.example.edu.cn:9000 https://cdn.example.edu.cn"
    assert connect == origins
    assert media == "'self' blob: " + origins.removeprefix("'self' ")


def test_site_templates_have_no_inline_script_or_style():
    # script-src/style-src 'self' block these; they would silently not work.
    found = [
        f"{path.relative_to(ROOT)}: {m.group(0).strip()}"
        for path, text in site_templates()
        for m in INLINE.finditer(text)
    ]
    assert found == []


@pytest.mark.django_db
def test_cached_pages_carry_the_policy_too(client, settings):
    settings.WEIKE_PAGE_CACHE_SECONDS = 60
    client.get("/")
    hit = client.get("/")
    assert hit.headers.get("X-Weike-Cache") == "hit"
    assert directives(hit)["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_admin_pages_carry_a_policy(admin_client):
    for url in ["/admin/login/", "/admin/"]:
        policy = directives(admin_client.get(url))
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'self'"]


# --- Production settings ------------------------------------------------------


def run_python(code, tmp_path, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WEIKE_", "DATABASE_", "DJANGO_"))
    }
    clean |= {"WEIKE_VAR_DIR": str(tmp_path)} | env
    return subprocess.run(
        [sys.executable, *code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


IMPORT_PRODUCTION = ["-c", "import weike.settings.production"]


@pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        "   ",
        "dev-only-insecure-key-change-me",
        "x" * 49 + "",
        secrets.token_urlsafe(30)[:49],
        "ab" * 40,
        "django-insecure-" + secrets.token_urlsafe(48),
    ],
    ids=[
        "unset",
        "empty",
        "blank",
        "dev-key",
        "49x",
        "short",
        "few-chars",
        "django-insecure",
    ],
)
def test_production_refuses_a_missing_or_weak_secret_key(tmp_path, key):
    env = {} if key is None else {"WEIKE_SECRET_KEY": key}
    done = run_python(IMPORT_PRODUCTION, tmp_path, **env)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "WEIKE_SECRET_KEY" in done.stderr


def test_production_accepts_a_proper_key(tmp_path):
    done = run_python(
        IMPORT_PRODUCTION, tmp_path, WEIKE_SECRET_KEY=secrets.token_urlsafe(50)
    )
    assert done.returncode == 0, done.stderr


def test_wsgi_never_falls_back_to_development_settings(tmp_path):
    done = run_python(["-c", "import weike.wsgi"], tmp_path)
    assert done.returncode != 0
    assert "WEIKE_SECRET_KEY" in done.stderr


def test_check_deploy_passes_under_production_settings(tmp_path):
    done = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DJANGO_SETTINGS_MODULE="weike.settings.production",
        WEIKE_SECRET_KEY=secrets.token_urlsafe(50),
        WEIKE_ALLOWED_HOSTS="weike.example.edu.cn",
    )
    assert done.returncode == 0, done.stderr + done.stdout


PROBE_PROXY = [
    "-c",
    "import weike.settings.production as s; "
    "print(s.DEBUG, s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, "
    "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)",
]


def test_proxy_ssl_header_is_trusted_only_when_configured(tmp_path):
    key = secrets.token_urlsafe(50)
    plain = run_python(PROBE_PROXY, tmp_path, WEIKE_SECRET_KEY=key)
    assert plain.stdout.split() == ["False", "None", "True", "True", "True"]
    proxied = run_python(
        PROBE_PROXY,
        tmp_path,
        WEIKE_SECRET_KEY=key,
        WEIKE_BEHIND_TLS_PROXY="1",
        WEIKE_DEBUG="1",  # ignored: production never runs with DEBUG
    )
    assert proxied.stdout.split()[:3] == [
        "False",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]


# Runs manage.py as `python manage.py` would, minus the command itself.
PROBE_MANAGE = [
    "-c",
    "import importlib, os, runpy, django.core.management as m; "
    "m.execute_from_command_line = lambda argv: None; "
    "runpy.run_path('manage.py', run_name='__main__'); "
    "name = os.environ['DJANGO_SETTINGS_MODULE']; "
    "print(name, importlib.import_module(name).DEBUG)",
]


def test_manage_py_defaults_to_development(tmp_path):
    done = run_python(PROBE_MANAGE, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["weike.settings.development", "True"]


def test_test_client_login_still_works_with_throttling_on(client, staff, settings):
    assert settings.AXES_ENABLED
    assert client.login(username="teacher", password=PASSWORD)
    assert not client.login(username="teacher", password="wrong-password")
