"""Two gunicorn web hosts behind a real nginx take turns on one upload's
PATCH requests (no shared disk, S3 storage): the file completes, byte-exact."""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

from ingest.models import Upload, UploadStatus

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def session_for(user) -> requests.Session:
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    session.headers["Tus-Resumable"] = "1.0.0"
    return session


@pytest.mark.s3
def test_two_web_hosts_behind_nginx_take_turns_on_one_upload(
    transactional_db,
    s3_storage,
    settings,
    gunicorn_hosts,
    nginx_site,
    media_clips,
    tmp_path,
    django_user_model,
):
    webs = [
        gunicorn_hosts(name, UPLOAD_SPOOL_DIR=tmp_path / name, TASKS=DUMMY_TASKS)
        for name in ("web_a", "web_b")
    ]
    nginx = nginx_site(webs, settings.MEDIA_ROOT, settings.STATIC_ROOT)
    session = session_for(django_user_model.objects.create_user("teacher_lb"))
    data = media_clips("mp4_h264").read_bytes()
    created = session.post(
        f"{nginx.url}/ingest/tus/",
        headers={
            "Upload-Length": str(len(data)),
            "Upload-Metadata": "filename " + base64.b64encode(b"a.mp4").decode(),
        },
        timeout=30,
    )
    assert created.status_code == 201, created.text
    url = nginx.url + urlsplit(created.headers["Location"]).path
    step = len(data) // 7 + 1
    for offset in range(0, len(data), step):
        response = session.patch(
            url,
            data=data[offset : offset + step],
            headers={
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
            timeout=60,
        )
        assert response.status_code == 204, response.text
    # Round robin: both hosts received PATCHes of this one upload.
    for name in ("web_a", "web_b"):
        assert '"PATCH /ingest/tus/' in (tmp_path / f"{name}.log").read_text()
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.COMPLETE
    stored = (
        s3_storage["client"]
        .get_object(Bucket=s3_storage["bucket"], Key=upload.storage_name)["Body"]
        .read()
    )
    assert stored == data
    head = session.head(url, timeout=30)
    assert head.headers["Upload-Offset"] == str(len(data))
