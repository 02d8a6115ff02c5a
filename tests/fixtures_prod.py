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


def start_nginx(prefix: Path, site_args: list[str]) -> tuple[Nginx, object]:
    """nginx with the site rendered from `site_args` under `prefix`, running
    until stop(nginx.proc); returns it and its open log (close it after)."""
    main = write_nginx_conf(prefix, site_args)
    checked = nginx_test_config(main)
    if checked.returncode:
        pytest.fail(f"nginx -t refused the site:\n{checked.stderr}")
    log = open(prefix / "stdout.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [nginx_binary(), "-p", str(prefix), "-c", str(main)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return Nginx("", prefix, proc), log


@pytest.fixture
def nginx_site(tmp_path):
    """start(webs, media_root, static_root, *extra) → a running nginx (Nginx)
    proxying to the gunicorn/live-server addresses `webs`."""
    started = []

    def start(webs, media_root, static_root, *extra) -> Nginx:
        port = free_port()
        args = [f"--listen=127.0.0.1:{port}", "--server-name=127.0.0.1 localhost"]
        args += [f"--web={web}" for web in webs]
        args += [f"--media-root={media_root}", f"--static-root={static_root}"]
        nginx, log = start_nginx(tmp_path / f"nginx-{port}", [*args, *extra])
        started.append((nginx.proc, log))
        wait_or_fail(port, nginx.proc, "nginx")
        nginx.url = f"http://127.0.0.1:{port}"
        return nginx

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


def start_gunicorn(
    directory: Path, name: str, env: dict, wrap: tuple[str, ...] = ()
) -> tuple[str, object]:
    """A real gunicorn (the production WSGI app, deploy/gunicorn.conf.py) with
    the environment `env`, run by the command prefix `wrap` if any; returns
    "127.0.0.1:port" and (proc, log), which the caller stops and closes.
    Fails the test when it does not start."""
    port = free_port()
    env = {**env, "WEB_CONCURRENCY": "1", "GUNICORN_BIND": f"127.0.0.1:{port}"}
    log = open(directory / f"{name}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [*wrap, str(ROOT / ".venv" / "bin" / "gunicorn")]
        + ["-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "weike.wsgi"],
        cwd=str(ROOT),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, proc, timeout=120)
    except RuntimeError as exc:
        stop(proc)
        pytest.fail(f"gunicorn {name} did not start: {exc}\n{log_text(log)}")
    return f"127.0.0.1:{port}", (proc, log)


@pytest.fixture
def gunicorn_hosts(tmp_path, settings):
    """start(name, wrap=(), **settings) → "127.0.0.1:port" of a real gunicorn
    (the production WSGI app and deploy/gunicorn.conf.py) on the test
    database; start.pids[name] is its process id."""
    started = []

    def start(name="web", wrap: tuple[str, ...] = (), **extra) -> str:
        module = web_settings_module(tmp_path, settings, f"{name}_settings", **extra)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": module,
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
            "WEIKE_SECRET_KEY": TEST_SECRET,
        }
        address, process = start_gunicorn(tmp_path, name, env, wrap)
        started.append(process)
        start.pids[name] = process[0].pid
        return address

    start.pids = {}
    yield start
    for proc, log in started:
        stop(proc)
        log.close()


def tus_session(user):
    """A requests session of `user` (a test client's login) for tus requests
    to a web process started here."""
    import requests
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    session.headers["Tus-Resumable"] = "1.0.0"
    return session


def tus_create(session, base: str, length: int) -> str:
    """POST /ingest/tus/ on `base` ("http://host:port"); the upload's URL
    on that same base."""
    import base64
    from urllib.parse import urlsplit

    created = session.post(
        f"{base}/ingest/tus/",
        headers={
            "Upload-Length": str(length),
            "Upload-Metadata": "filename " + base64.b64encode(b"a.mp4").decode(),
        },
        timeout=30,
    )
    assert created.status_code == 201, created.text
    return base + urlsplit(created.headers["Location"]).path


def log_text(log) -> str:
    log.flush()
    return Path(log.name).read_text(errors="replace")[-4000:]


# --- The whole production stack, configured as an operator would ------------

# Reference data the stack starts from: the taxonomy and page tree, the demo
# accounts of every role (password weike-demo) and this year's quota rules.
SEED = """\
from catalog.seeding import seed_page_tree, seed_taxonomy
from dashboard.demo import seed_quota_rules
from demo.seeding import seed_users
seed_taxonomy(); seed_page_tree(); seed_users()
seed_quota_rules(years=({year},))
"""
# What turns a migrated database into a working site (docs/deploy.md): the
# search indexes and the quota index, built from the database.
INDEX = """\
from django.core.management import call_command
from search.services import rebuild_index
rebuild_index("default"); call_command("sync_quota_index", verbosity=0)
"""


def pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        pytest.fail(f"{name} is required (postgresql, scripts/install-system-deps.sh)")
    return str(found[-1])


def run_checked(args: list[str], what: str, **kwargs) -> str:
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)
    if done.returncode:
        pytest.fail(f"{what} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


@dataclass
class ProdStack:
    """nginx (TLS) + gunicorn + two Celery workers on a PostgreSQL, Redis,
    OpenSearch and S3 (moto) of their own, all on 127.0.0.1."""

    url: str
    env: dict
    dir: Path
    cert: Path
    postgres: str  # the server's maintenance database, to create others
    s3: object  # boto3 client
    bucket: str
    logs: dict

    def manage(self, *args: str, env: dict | None = None, timeout: float = 300) -> str:
        """`manage.py args…` with the operator's environment (or `env`)."""
        return run_checked(
            [str(ROOT / ".venv" / "bin" / "python"), "manage.py", *args],
            f"manage.py {' '.join(args)[:60]}",
            cwd=str(ROOT),
            env=env or self.env,
            timeout=timeout,
        )

    def create_database(self, name: str) -> str:
        """A new empty database on the stack's server; its URL."""
        import psycopg

        with psycopg.connect(self.postgres, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.postgres.rsplit("/", 1)[0] + "/" + name

    def session(self):
        import requests

        session = requests.Session()
        # Not REQUESTS_CA_BUNDLE & co. of the host: they would win over `verify`.
        session.trust_env = False
        session.verify = str(self.cert)
        # Django checks the Origin of every unsafe request over https.
        session.headers["Origin"] = self.url
        return session

    def login(self, username: str, password: str = "weike-demo"):
        """A requests session logged in through the site's login form."""
        session = self.session()
        page = session.get(f"{self.url}/login/", timeout=30)
        assert page.status_code == 200, page.text[:500]
        response = session.post(
            f"{self.url}/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text[:2000]
        assert session.cookies.get("sessionid")
        return session


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    run_checked(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        "openssl",
        timeout=60,
    )
    return cert, key


def operator_env(**values: str) -> dict:
    """The process environment of a unit: the host's PATH and locale plus
    /etc/weike/weike.env (`values`); nothing of the test's own settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("WEIKE_", "DJANGO_", "DATABASE_", "PYTEST", "COV_"))
    }
    # Five Django processes start here; with bytecode caching off (as on the
    # CI machine) each would compile every module again.
    if env.pop("PYTHONDONTWRITEBYTECODE", None):
        cache = Path(os.environ.get("WEIKE_CACHE_DIR", Path.home() / ".cache/weike"))
        env["PYTHONPYCACHEPREFIX"] = str(cache / "pycache")
    return {**env, "DJANGO_SETTINGS_MODULE": "weike.settings.production", **values}


def database_template_key(year: int) -> str:
    """Migrations, seed code and locked packages: what the cached database
    depends on."""
    import hashlib

    digest = hashlib.sha256(f"{SEED}{year}".encode())
    sources = sorted(ROOT.glob("*/migrations/*.py")) + [
        ROOT / "requirements.lock",
        ROOT / "catalog" / "seeding.py",
        ROOT / "demo" / "seeding.py",
        ROOT / "dashboard" / "demo.py",
    ]
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def prepare_database(stack: ProdStack) -> None:
    """Migrate and seed, as an operator's first `manage.py migrate` does.
    Migrating takes ~35 s of CPU, so the result is kept as a pg_dump in the
    cache (keyed by every migration) and later runs restore it."""
    import datetime
    import zoneinfo

    year = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).year
    cache = Path(os.environ.get("WEIKE_CACHE_DIR", Path.home() / ".cache/weike"))
    dump = cache / "prod-stack" / f"database-{database_template_key(year)}.pgc"
    url = stack.env["DATABASE_URL"]
    if dump.exists():
        run_checked(
            [pg_bin("pg_restore"), "--no-owner", "--exit-on-error", "-d", url]
            + [str(dump)],
            "pg_restore of the cached database",
            timeout=120,
        )
        return
    stack.manage("migrate", "--no-input", "-v0", timeout=600)
    stack.manage("shell", "-c", SEED.format(year=year))
    dump.parent.mkdir(parents=True, exist_ok=True)
    partial = dump.with_suffix(f".{os.getpid()}.part")
    run_checked([pg_bin("pg_dump"), "-Fc", "-f", str(partial), url], "pg_dump")
    partial.rename(dump)


@pytest.fixture(scope="module")
def prod_stack(moto_server, redis_server, opensearch_url):
    """The production stack for one test module (ProdStack). Its PostgreSQL is
    its own, so it runs in the first (SQLite) pass of `make test` only: no test
    using it reaches the test database."""
    import concurrent.futures
    import tempfile
    import uuid

    import boto3

    from tests.fixtures_media import start_celery_worker

    # Readable by the postgres user scripts/postgres.sh runs the server as.
    directory = Path(tempfile.mkdtemp(prefix="weike-prod-"))
    directory.chmod(0o755)
    tls_port, http_port, pg_port = free_port(), free_port(), free_port()
    postgres = run_checked(
        [str(ROOT / "scripts" / "postgres.sh"), "start", str(directory / "pg")]
        + [str(pg_port)],
        "scripts/postgres.sh start",
        timeout=120,
    ).strip()
    tag = uuid.uuid4().hex[:8]
    url = f"https://127.0.0.1:{tls_port}"
    redis = redis_server.rsplit("/", 1)[0]  # databases 3 and 4: this stack's
    env = operator_env(
        WEIKE_SECRET_KEY=TEST_SECRET,
        WEIKE_ALLOWED_HOSTS="127.0.0.1,localhost",
        WEIKE_CSRF_TRUSTED_ORIGINS=url,
        WEIKE_BASE_URL=url,
        WEIKE_BEHIND_TLS_PROXY="1",
        WEIKE_TRUSTED_PROXY_COUNT="1",
        WEIKE_SSL_REDIRECT="0",
        DATABASE_URL=postgres.rsplit("/", 1)[0] + "/weike",
        WEIKE_BROKER_URL=f"{redis}/3",
        WEIKE_CACHE_URL=f"{redis}/4",
        WEIKE_SEARCH_URL=opensearch_url,
        WEIKE_SEARCH_ENGINE="opensearch2",
        WEIKE_SEARCH_INDEX_PREFIX=f"prod_{tag}_",
        WEIKE_S3_BUCKET=f"weike-prod-{tag}",
        WEIKE_S3_ENDPOINT_URL=moto_server,
        WEIKE_S3_REGION="us-east-1",
        WEIKE_S3_ACCESS_KEY_ID="testing",
        WEIKE_S3_SECRET_ACCESS_KEY="testing",
        WEIKE_S3_ADDRESSING_STYLE="path",
        WEIKE_UPLOAD_PART_BYTES=str(5 * 1024**2),  # S3's smallest part
        WEIKE_VAR_DIR=str(directory / "var"),
        WEIKE_WORKER_CONCURRENCY="1",
        # A test clip of a few seconds, transcoded fast.
        WEIKE_VIDEO_MIN_SECONDS="1",
        WEIKE_VIDEO_X264_PRESET="ultrafast",
    )
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_server,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    s3.create_bucket(Bucket=env["WEIKE_S3_BUCKET"])
    cert, key = self_signed_cert(directory)
    stack = ProdStack(
        url, env, directory, cert, postgres, s3, env["WEIKE_S3_BUCKET"], {}
    )
    stack.create_database("weike")
    processes = []
    try:
        prepare_database(stack)
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            index = pool.submit(stack.manage, "shell", "-c", INDEX)
            web = pool.submit(start_gunicorn, directory, "web", env)
            workers = [
                pool.submit(
                    start_celery_worker,
                    directory,
                    f"weike{n}@prod",
                    env,
                    ["--concurrency", env["WEIKE_WORKER_CONCURRENCY"]],
                )
                for n in (1, 2)
            ]
            address, web_process = web.result()
            processes.append(web_process)
            for started in workers:
                proc, log, log_path = started.result()
                processes.append((proc, log))
                stack.logs[log_path.stem] = log_path
            index.result()
        stack.logs["web"] = directory / "web.log"
        (directory / "static").mkdir()
        nginx, log = start_nginx(
            directory / "nginx",
            [f"--web={address}", "--server-name=127.0.0.1 localhost"]
            + [f"--listen=127.0.0.1:{http_port}", f"--tls-listen=127.0.0.1:{tls_port}"]
            + [f"--tls-cert={cert}", f"--tls-key={key}"]
            + [f"--static-root={directory / 'static'}"]
            + [f"--media-root={directory / 'var' / 'media'}"],
        )
        processes.append((nginx.proc, log))
        wait_or_fail(tls_port, nginx.proc, "nginx")
        stack.logs["nginx"] = directory / "nginx" / "error.log"
        yield stack
    finally:
        # All at once: a warm shutdown may take seconds.
        for proc, _ in reversed(processes):
            if proc.poll() is None:
                proc.terminate()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(stop, [proc for proc, _ in processes]))
        for _, log in processes:
            log.close()
        run_checked(
            [str(ROOT / "scripts" / "postgres.sh"), "stop", str(directory / "pg")],
            "scripts/postgres.sh stop",
        )
        drop_indexes(opensearch_url, f"prod_{tag}_")
        shutil.rmtree(directory, ignore_errors=True)


def drop_indexes(url: str, prefix: str) -> None:
    import requests

    found = requests.get(f"{url}/_cat/indices/{prefix}*?format=json", timeout=30)
    names = [row["index"] for row in found.json()] if found.ok else []
    if names:
        requests.delete(f"{url}/{','.join(names)}", timeout=30)
