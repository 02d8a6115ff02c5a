"""Fixtures of the production stack (deploy/): nginx in front of web processes.

nginx runs from a throw-away prefix with the site rendered by
deploy/render_nginx.py, exactly as an operator would render it; only the main
nginx.conf around it (paths, pid, logs) is the test's own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploy.render_nginx import parser as render_parser
from deploy.render_nginx import render
from tests.fixtures_media import ROOT, free_port, stop, wait_for_port, wait_or_fail

MAIN_CONF = """\
{user}worker_processes 1;
worker_rlimit_nofile 1024;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    include {site};
}}
"""


def nginx_binary() -> str:
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if binary is None:
        pytest.fail("nginx is required (scripts/install-system-deps.sh)")
    return binary


def write_nginx_conf(prefix: Path, site_args: list[str]) -> Path:
    """Render the site with `site_args` (render_nginx's options) under
    `prefix` and wrap it in a main config; returns the main config's path."""
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    site = prefix / "weike.conf"
    site.write_text(render(render_parser().parse_args(site_args)))
    main = prefix / "nginx.conf"
    # Test folders are root's and private: workers must be able to read them.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    main.write_text(MAIN_CONF.format(user=user, prefix=prefix, site=site))
    return main


def nginx_test_config(main: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [nginx_binary(), "-t", "-p", str(main.parent), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=30,
    )


@dataclass
class Nginx:
    url: str
    prefix: Path
    proc: subprocess.Popen

    def error_log(self) -> str:
        return (self.prefix / "error.log").read_text(errors="replace")


@pytest.fixture
def nginx_site(tmp_path):
    """start(webs, media_root, static_root, *extra) → a running nginx (Nginx)
    proxying to the gunicorn/live-server addresses `webs`."""
    started = []

    def start(webs, media_root, static_root, *extra) -> Nginx:
        port = free_port()
        prefix = tmp_path / f"nginx-{port}"
        args = [f"--listen=127.0.0.1:{port}", "--server-name=127.0.0.1 localhost"]
        args += [f"--web={web}" for web in webs]
        args += [f"--media-root={media_root}", f"--static-root={static_root}"]
        main = write_nginx_conf(prefix, [*args, *extra])
        checked = nginx_test_config(main)
        if checked.returncode:
            pytest.fail(f"nginx -t refused the site:\n{checked.stderr}")
        log = open(prefix / "stdout.log", "w")  # noqa: SIM115
        proc = subprocess.Popen(
            [nginx_binary(), "-p", str(prefix), "-c", str(main)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((proc, log))
        wait_or_fail(port, proc, "nginx")
        return Nginx(f"http://127.0.0.1:{port}", prefix, proc)

    yield start
    for proc, log in started:
        stop(proc)
        log.close()


# --- gunicorn web processes on the test database -----------------------------

# Settings a web process takes over from the test process, so both see the
# same database, files, queue, cache and search indexes.
MIRRORED = (
    "DATABASES",
    "STORAGES",
    "MEDIA_ROOT",
    "STATIC_ROOT",
    "UPLOAD_SPOOL_DIR",
    "UPLOAD_PART_SIZE",
    "TASKS",
    "BROKER_URL",
    "CACHES",
    "WAGTAILSEARCH_BACKENDS",
    "DASHBOARD_QUOTA_ENGINE_URL",
    "DASHBOARD_QUOTA_INDEX",
    "MEDIA_ACCEL_REDIRECT_PREFIX",
    "MEDIA_VALIDATION",
    "WEIKE_PAGE_CACHE_SECONDS",
    "AUTHENTICATION_BACKENDS",
    "PASSWORD_HASHERS",
    # Sessions made by the test client must be valid in the web process.
    "SECRET_KEY",
)
WEB_SETTINGS = """\
from pathlib import PosixPath  # noqa: F401  (used by the reprs below)

from weike.settings.production import *  # noqa: F403

# Plain HTTP on loopback: nginx here does not terminate TLS.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
"""
TEST_SECRET = "prod-stack-test-" + "k3y" * 16


def web_settings_module(directory: Path, settings, name: str, **extra) -> str:
    """Write a production settings module mirroring the test's services."""
    from django.db import connection

    lines = [WEB_SETTINGS]
    values = {key: getattr(settings, key) for key in MIRRORED if hasattr(settings, key)}
    values["DATABASES"] = {"default": {**connection.settings_dict}}
    values.update(extra)
    lines += [f"{key} = {value!r}" for key, value in values.items()]
    (directory / f"{name}.py").write_text("\n".join(lines) + "\n")
    return name


@pytest.fixture
def gunicorn_hosts(tmp_path, settings):
    """start(name, **settings) → "127.0.0.1:port" of a real gunicorn (the
    production WSGI app and deploy/gunicorn.conf.py) on the test database."""
    started = []

    def start(name="web", **extra) -> str:
        module = web_settings_module(tmp_path, settings, f"{name}_settings", **extra)
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": module,
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
            "WEIKE_SECRET_KEY": TEST_SECRET,
            "WEB_CONCURRENCY": "1",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
        }
        log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115
        proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn")]
            + ["-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "weike.wsgi"],
            cwd=str(ROOT),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((proc, log))
        try:
            wait_for_port(port, proc, timeout=120)
        except RuntimeError as exc:
            stop(proc)
            pytest.fail(f"gunicorn {name} did not start: {exc}\n{log_text(log)}")
        return f"127.0.0.1:{port}"

    yield start
    for proc, log in started:
        stop(proc)
        log.close()


def log_text(log) -> str:
    log.flush()
    return Path(log.name).read_text(errors="replace")[-4000:]
