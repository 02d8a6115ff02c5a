"""Two gunicorn web hosts behind a real nginx take turns on one upload's
PATCH requests (no shared disk, S3 storage): the file completes, byte-exact."""

from __future__ import annotations

import pytest

from ingest.models import Upload, UploadStatus
from tests.fixtures_prod import tus_create, tus_session

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


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
    session = tus_session(django_user_model.objects.create_user("teacher_lb"))
    data = media_clips("mp4_h264").read_bytes()
    url = tus_create(session, nginx.url, len(data))
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
