"""deploy/: the nginx site passes gixy and `nginx -t`, and serves local media
through X-Accel-Redirect only after Django's access check."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from media_pipeline.models import Video, VideoStatus
from tests.factories import LessonPageFactory, UserFactory
from tests.fixtures_prod import nginx_test_config, write_nginx_conf

ROOT = Path(__file__).resolve().parent.parent
GIXY = str(Path(sys.executable).parent / "gixy")
ACCEL = "/_weike_media/"
BODY = bytes(range(256)) * 64  # 16 KB, every byte value


def _site_args(tmp_path: Path, tls: bool) -> list[str]:
    args = ["--server-name=weike.example.edu.cn", "--web=10.0.0.11:8000"]
    args += ["--web=10.0.0.12:8000", f"--media-root={tmp_path}/media"]
    args += [f"--static-root={tmp_path}/static", "--listen=127.0.0.1:8080"]
    if tls:
        cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes"]
            + ["-keyout", str(key), "-out", str(cert), "-days", "2"]
            + ["-subj", "/CN=weike.example.edu.cn"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        args += [f"--tls-cert={cert}", f"--tls-key={key}"]
    return args


@pytest.mark.parametrize("tls", [False, True], ids=["behind-balancer", "tls"])
def test_the_site_passes_gixy_and_nginx_t(tmp_path, tls):
    main = write_nginx_conf(tmp_path / "nginx", _site_args(tmp_path, tls))
    checked = nginx_test_config(main)
    assert checked.returncode == 0, checked.stderr
    gixy = subprocess.run(
        [GIXY, "-f", "json", str(main)], capture_output=True, text=True, timeout=60
    )
    assert json.loads(gixy.stdout or "null") == [], gixy.stdout + gixy.stderr
    assert gixy.returncode == 0
    site = (tmp_path / "nginx" / "weike.conf").read_text()
    assert "proxy_request_buffering off;" in site
    assert site.count("server 10.0.0.1") == 2  # both web hosts upstream


@pytest.mark.parametrize(
    "option",
    [
        "--server-name=x; include /etc/shadow",
        "--media-root=/srv/../etc",
        "--media-root=relative/media",
        "--accel-prefix=/media/",
        "--accel-prefix=/_x/../",
        "--web=10.0.0.1:8000;return 200",
        "--static-root=/srv/static }",
    ],
)
def test_the_renderer_refuses_values_that_could_add_directives(tmp_path, option):
    with pytest.raises(SystemExit):
        write_nginx_conf(tmp_path, ["--web=127.0.0.1:8000", option])


# --- Django's side: the answer that hands the sending to nginx ---------------


@pytest.fixture
def lesson_files(db, settings):
    author = UserFactory(username="accel_author")
    video = Video.objects.create(
        title="视频",
        file="originals/x.mp4",
        status=VideoStatus.READY,
        uploaded_by=author,
    )
    default_storage.save(f"renditions/{video.pk}/360p.mp4", ContentFile(BODY))
    default_storage.save("originals/x.mp4", ContentFile(b"secret"))
    lesson = LessonPageFactory(author=author, video=video, live=False)
    return lesson, video


def test_django_answers_with_x_accel_redirect_after_the_check(settings, lesson_files):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = ACCEL
    lesson, video = lesson_files
    client = Client()
    url = f"/media/renditions/{video.pk}/360p.mp4"
    assert client.get(url).status_code == 404  # a draft: anonymous refused
    client.force_login(lesson.author)
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"{ACCEL}renditions/{video.pk}/360p.mp4"
    assert response.content == b""
    assert response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private"


def test_the_redirect_names_the_resolved_file_percent_encoded(settings, db):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = ACCEL
    name = default_storage.save("images/微课 封面.png", ContentFile(b"\x89PNG"))
    response = Client().get("/media/" + name)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == (
        ACCEL + "images/%E5%BE%AE%E8%AF%BE%20%E5%B0%81%E9%9D%A2.png"
    )


# --- Through a real nginx in front of gunicorn --------------------------------


def _raw_get(base: str, path: str, headers=None) -> tuple[int, dict, bytes]:
    """GET `path` exactly as written (no client-side normalisation)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        for key, value in (headers or {}).items():
            conn.putheader(key, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.fixture
def media_behind_nginx(
    transactional_db, taxonomy, settings, nginx_site, gunicorn_hosts
):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = ACCEL
    author = UserFactory(username="nginx_author")
    video = Video.objects.create(
        title="视频",
        file="originals/y.mp4",
        status=VideoStatus.READY,
        uploaded_by=author,
    )
    # Ids come round again after a rolled-back test: clear what an earlier
    # test left at these names, or save() would pick another name.
    for name in (f"renditions/{video.pk}/360p.mp4", "originals/y.mp4"):
        default_storage.delete(name)
    default_storage.save(f"renditions/{video.pk}/360p.mp4", ContentFile(BODY))
    default_storage.save("originals/y.mp4", ContentFile(b"secret original"))
    lesson = LessonPageFactory(author=author, video=video, live=False)
    web = gunicorn_hosts("web")
    nginx = nginx_site([web], settings.MEDIA_ROOT, settings.STATIC_ROOT)
    client = Client()
    client.force_login(author)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    return nginx, lesson, video, cookie


def test_nginx_serves_a_rendition_only_after_the_check(media_behind_nginx):
    nginx, lesson, video, cookie = media_behind_nginx
    path = f"/media/renditions/{video.pk}/360p.mp4"
    status, _headers, body = _raw_get(nginx.url, path)
    assert status == 404 and BODY not in body, (_headers, body[:300])  # draft

    status, headers, body = _raw_get(nginx.url, path, {"Cookie": cookie})
    assert status == 200 and body == BODY
    assert headers["Content-Type"] == "video/mp4"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert headers["Cache-Control"] == "private"
    assert "X-Accel-Redirect" not in headers

    # nginx does the ranges (seeking in the player).
    status, headers, body = _raw_get(
        nginx.url, path, {"Cookie": cookie, "Range": "bytes=256-511"}
    )
    assert status == 206 and body == BODY[256:512]

    lesson.save_revision().publish()
    status, _headers, body = _raw_get(nginx.url, path)
    assert status == 200 and body == BODY


HOSTILE_PATHS = [
    "/_weike_media/renditions/{pk}/360p.mp4",  # the internal location itself
    "/_weike_media/originals/y.mp4",
    "/media/originals/y.mp4",
    "/media/renditions/{pk}/%2e%2e/%2e%2e/originals/y.mp4",
    "/media/renditions/{pk}/%252e%252e/%252e%252e/originals/y.mp4",
    "/media/renditions/{pk}/..%5c..%5coriginals/y.mp4",
    "/media/renditions/{pk}/%EF%BC%8E%EF%BC%8E/%EF%BC%8E%EF%BC%8E/originals/y.mp4",
    "/media/renditions/{pk}/..%EF%BC%8Foriginals/y.mp4",
    "/media/renditions/{pk}/360p.mp4%00.png",
    "/_weike_media/../originals/y.mp4",
    "/static/../media/originals/y.mp4",
    "/static/..%2fmedia/originals/y.mp4",
]


def test_nginx_never_serves_private_files(media_behind_nginx):
    nginx, lesson, video, cookie = media_behind_nginx
    lesson.save_revision().publish()
    answers = {}
    for path in HOSTILE_PATHS:
        status, _headers, body = _raw_get(
            nginx.url, path.format(pk=video.pk), {"Cookie": cookie}
        )
        assert b"secret original" not in body and BODY not in body, path
        answers[path] = status
    # nginx refuses a NUL outright; everything else reaches the gate (or the
    # internal location's refusal) and is not found.
    assert answers == {p: 400 if "%00" in p else 404 for p in HOSTILE_PATHS}
