"""The production stack as a bureau runs it, end to end (docs/deploy.md).

nginx (TLS, rendered by deploy/render_nginx.py) → gunicorn → PostgreSQL,
Redis, OpenSearch and S3 (moto), with two Celery workers, every process
configured by environment variables only (weike.settings.production). One
scenario walks a lesson from a teacher's interrupted upload to the bureau's
dashboard. The stack brings its own PostgreSQL, so this file runs in the first
pass of `make test` only (its tests never reach the test database).
"""

from __future__ import annotations

import base64
import re
import socket
import ssl
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

pytestmark = [pytest.mark.s3, pytest.mark.redis, pytest.mark.opensearch]

TITLE = "勾股定理的三种证明"
TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture(scope="module")
def big_clip(tmp_path_factory) -> Path:
    """6 s of noisy 640×480 H.264 at 9 Mbit/s: about 6.7 MB, more than one
    S3 part (5 MiB), so the upload writes a part and stages a tail."""
    target = tmp_path_factory.mktemp("prod-clip") / "lesson.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi"]
        + ["-i", "testsrc=size=640x480:rate=10,noise=alls=30:allf=t"]
        + ["-f", "lavfi", "-i", "sine=f=440", "-t", "6"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        + ["-g", "20", "-b:v", "9M", "-maxrate", "9M", "-bufsize", "4M"]
        + ["-c:a", "aac", "-b:a", "64k", str(target)],
        check=True,
        timeout=120,
    )
    return target


def csrf(session) -> dict:
    return {"X-CSRFToken": session.cookies["csrftoken"]}


def until(what: str, check, timeout: float = 90, every: float = 0.5):
    """Poll `check()` until it returns something truthy; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(every)


def interrupted_patch(stack, session, path: str, data: bytes, cut: int) -> None:
    """A PATCH announcing the whole file whose connection drops after `cut`
    bytes: what a teacher's train going into a tunnel does."""
    port = urlsplit(stack.url).port
    cookies = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    head = (
        f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
        "Content-Type: application/offset+octet-stream\r\n"
        f"Content-Length: {len(data)}\r\nCookie: {cookies}\r\n\r\n"
    )
    context = ssl.create_default_context(cafile=str(stack.cert))
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(head.encode() + data[:cut])
            time.sleep(1)  # the bytes reach gunicorn before the line drops


def resume(session, url: str, data: bytes) -> tuple[int, requests.Response]:
    """Ask where the upload stands (HEAD) and send the rest from there; a 409
    means the dropped request still holds the upload: ask again."""

    def attempt():
        head = session.head(url, headers=TUS, timeout=30)
        offset = int(head.headers["Upload-Offset"])
        response = session.patch(
            url,
            data=data[offset:],
            headers={
                **TUS,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
            timeout=120,
        )
        if response.status_code == 409:
            return None
        assert response.status_code == 204, response.text
        return offset, response

    return until("the upload to resume", attempt, timeout=60)


def jobs_done(stack) -> dict[str, int]:
    """Jobs each worker finished (Celery logs a job's name, not its arguments)."""
    done = re.compile(r"Task weike\.run_django_task\[[^]]+\] succeeded")
    return {
        name: len(done.findall(log.read_text()))
        for name, log in stack.logs.items()
        if name.startswith("weike")
    }


def test_a_lesson_from_interrupted_upload_to_the_dashboard(prod_stack, big_clip):
    stack, url = prod_stack, prod_stack.url
    data = big_clip.read_bytes()
    teacher = stack.login("teacher_li")
    bureau = stack.login("bureau")
    # The drill below may have run first (random order): counts are compared.
    counts_before = quota_counts(bureau, url)
    originals_before = originals(stack)

    # -- upload through nginx (tus), cut off after 3 MB, resumed --------------
    form = teacher.get(f"{url}/my/upload/", timeout=30)
    subject = re.search(
        r'<option value="(\d+)" data-stage="junior" data-subject="maths"', form.text
    )[1]
    created = teacher.post(
        f"{url}/ingest/tus/",
        headers={
            **TUS,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": "filename "
            + base64.b64encode("勾股定理.mp4".encode()).decode(),
        },
        timeout=30,
    )
    assert created.status_code == 201, created.text
    # Its path: nginx passes on $host, without this test's port.
    upload_url = url + urlsplit(created.headers["Location"]).path
    cut = 3 * 1024**2
    interrupted_patch(stack, teacher, urlsplit(upload_url).path, data, cut)
    offset, done = resume(teacher, upload_url, data)
    assert 0 < offset <= cut  # what arrived before the drop was kept
    assert done.headers["Upload-Offset"] == str(len(data))
    video_id = done.headers["Weike-Video-Id"]
    [original] = originals(stack) - originals_before
    stored = stack.s3.get_object(Bucket=stack.bucket, Key=original)["Body"].read()
    assert stored == data  # byte-exact across the interruption

    finished = teacher.post(
        f"{url}/my/upload/finish/",
        data={
            "upload": urlsplit(upload_url).path.rstrip("/").rsplit("/", 1)[1],
            "title": TITLE,
            "subject_page": subject,
        },
        headers=csrf(teacher),
        timeout=30,
    )
    assert finished.status_code == 201, finished.text
    lesson = finished.json()
    page_id = lesson["id"]

    # -- transcoded by one of the two workers ---------------------------------
    def ready():
        status = teacher.get(urljoin(url, lesson["status_url"]), timeout=30).json()
        assert status["video"]["state"] not in ("rejected", "failed"), status
        return status if status["video"]["ready"] else None

    assert until("the transcode", ready, timeout=120)["status"] == "draft"
    assert sum(jobs_done(stack).values()) >= 1, jobs_done(stack)

    # -- a draft's media: its author may watch, nobody else --------------------
    master = f"{url}/media-pipeline/videos/{video_id}/hls/master.m3u8"
    assert teacher.get(master, timeout=30).status_code == 200
    anonymous = stack.session()
    assert anonymous.get(master, timeout=30).status_code == 404

    # -- submitted, approved and picked by the subject's editor ----------------
    teacher.get(f"{url}/my/", timeout=30)
    submitted = teacher.post(
        f"{url}/my/lessons/{page_id}/submit/",
        data={"csrfmiddlewaretoken": teacher.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=30,
    )
    assert submitted.status_code == 302
    editor = stack.login("editor_math")
    review = editor.get(f"{url}/alliance/entries/{page_id}/", timeout=30)
    assert review.status_code == 200, review.text[:1000]
    step = re.search(r'name="task_state" value="(\d+)"', review.text)[1]
    token = {"csrfmiddlewaretoken": editor.cookies["csrftoken"]}
    approved = editor.post(
        f"{url}/alliance/entries/{page_id}/",
        data={**token, "action": "approve", "task_state": step},
        allow_redirects=False,
        timeout=30,
    )
    assert approved.status_code == 302, approved.text[:2000]
    picked = editor.post(
        f"{url}/alliance/entries/{page_id}/pick/",
        data={**token, "reason": "三种证明，讲解清楚"},
        allow_redirects=False,
        timeout=30,
    )
    assert picked.status_code == 302, picked.text[:2000]
    status = teacher.get(urljoin(url, lesson["status_url"]), timeout=30).json()
    assert status["status"] == "published"

    # -- found by search (OpenSearch) -------------------------------------------
    def found():
        page = teacher.get(f"{url}/find/", params={"q": "勾股定理"}, timeout=30)
        assert page.status_code == 200
        return TITLE in page.text

    until("the search engine to find the lesson", found, timeout=30)
    public = anonymous.get(f"{url}/find/", params={"q": "勾股定理 证明"}, timeout=30)
    assert TITLE in public.text

    # -- played through nginx: playlist, rendition, a segment from S3 ----------
    page = anonymous.get(f"{url}/l/{page_id}/", timeout=30)
    assert page.status_code == 200 and TITLE in page.text
    assert f"/media-pipeline/videos/{video_id}/hls/master.m3u8" in page.text
    playlist = anonymous.get(master, timeout=30)
    assert playlist.status_code == 200
    assert playlist.headers["Content-Type"] == "application/vnd.apple.mpegurl"
    assert "max-age=31536000" in playlist.headers["Strict-Transport-Security"]
    variant = urljoin(master, first_uri(playlist.text))
    rendition = anonymous.get(variant, timeout=30)
    assert rendition.status_code == 200, variant
    segment = first_uri(rendition.text)
    assert segment.startswith(stack.env["WEIKE_S3_ENDPOINT_URL"])
    assert "X-Amz-Signature=" in segment  # the bucket is private: signed URLs
    fetched = requests.get(segment, timeout=30)
    assert fetched.status_code == 200 and len(fetched.content) > 1000

    # -- the private original is never reachable -----------------------------------
    assert original not in page.text + playlist.text + rendition.text
    for path in (f"/media/{original}", f"/_weike_media/{original}"):
        assert anonymous.get(url + path, timeout=30).status_code == 404
        assert teacher.get(url + path, timeout=30).status_code == 404

    # -- counted on the bureau's dashboard ------------------------------------------
    assert bureau.get(f"{url}/dashboard/", timeout=30).status_code == 200
    counts = quota_counts(bureau, url)
    grown = {
        rule: counts[rule] - counts_before[rule]
        for rule in counts
        if counts[rule] != counts_before[rule]
    }
    # Only the junior/senior 精品微课 quota counts micro-lessons (dashboard/demo.py).
    assert [(quality, grew) for (_, quality), grew in grown.items()] == [(True, 1)]


def originals(stack) -> set[str]:
    found = stack.s3.list_objects_v2(Bucket=stack.bucket, Prefix="originals/")
    return {item["Key"] for item in found.get("Contents", [])}


def quota_counts(bureau, url: str) -> dict:
    """This year's quota counts of /api/v1/quotas/, by (rule id, quality only)."""
    response = bureau.get(f"{url}/api/v1/quotas/", timeout=30)
    assert response.status_code == 200, response.text[:1000]
    rules = response.json()["rules"]
    return {(r["rule_id"], r["quality_only"]): r["count"] for r in rules}


def first_uri(playlist: str) -> str:
    return next(line for line in playlist.splitlines() if line and line[0] != "#")


# --- Backup and restore drill (weike/backup.py) -----------------------------


def drill(stack, steps: str, env=None) -> tuple[dict, str]:
    """Run `steps` (tests/prod_drill.py, call_command) in one `manage.py shell`
    of the stack (one Django start instead of one per step); returns the
    census it printed and the whole output."""
    import json

    script = (
        "from django.core.management import call_command\n"
        "from django.core.management.base import CommandError\n"
        "from tests.prod_drill import census, populate\n" + steps
    )
    out = stack.manage("shell", "-c", script, env=env)
    [line] = [line for line in out.splitlines() if line.startswith("{")]
    return json.loads(line), out


def test_backup_restores_every_lesson_file_pick_and_count_into_an_empty_stack(
    prod_stack, tmp_path
):
    import uuid

    from tests.fixtures_prod import drop_indexes

    stack = prod_stack
    backup = tmp_path / "backup"
    before, out = drill(
        stack, f"populate()\ncensus()\ncall_command('backup_site', {str(backup)!r})"
    )
    # Commands speak the site's language (LANGUAGE_CODE zh-hans).
    assert f"已将数据库和 {len(before['files'])} 个文件备份到" in out
    assert len(before["lessons"]) >= 3 and before["missing"] == []
    assert len(before["files"]) >= 6 and before["picks"]
    assert all(before["found"].values()) and len(before["found"]) >= 3
    assert before["quota_source"] == "engine"
    assert sum(count for _, count in before["quotas"]) >= 1
    assert (backup / "database.pgc").stat().st_size > 0

    # An empty stack: a new database, bucket and index prefix.
    tag = uuid.uuid4().hex[:8]
    empty = {
        **stack.env,
        "DATABASE_URL": stack.create_database(f"restored_{tag}"),
        "WEIKE_S3_BUCKET": f"weike-restored-{tag}",
        "WEIKE_SEARCH_INDEX_PREFIX": f"restored_{tag}_",
    }
    stack.s3.create_bucket(Bucket=empty["WEIKE_S3_BUCKET"])
    again = (
        f"try:\n    call_command('restore_site', {str(backup)!r})\n"
        "except CommandError as exc:\n    print('refused:', exc)\n"
    )
    try:
        after, out = drill(
            stack,
            f"call_command('restore_site', {str(backup)!r})\ncensus()\n{again}",
            env=empty,
        )
    finally:
        drop_indexes(stack.env["WEIKE_SEARCH_URL"], f"restored_{tag}_")
    assert after == before
    # A second restore would mix two sites: refused, in one sentence.
    assert "refused: 数据库不是空的：只能恢复到新建的空数据库。" in out


# --- PostgreSQL restarted under requests ------------------------------------


def test_postgresql_restarted_under_requests(prod_stack):
    """While PostgreSQL is down every page says so in one sentence (503 and
    Retry-After, JSON on the API); after it is back the very first requests
    on every web thread and the workers' jobs succeed (CONN_HEALTH_CHECKS:
    a persistent connection that died with the server is not reused)."""
    import concurrent.futures

    from tests.fixtures_prod import ROOT, run_checked

    stack, url = prod_stack, prod_stack.url
    teacher = stack.login("teacher_li")
    teacher.headers["Accept-Language"] = "zh-hans"

    def my_page(_=None) -> int:
        return teacher.get(f"{url}/my/", timeout=30).status_code

    def run_six_jobs() -> None:
        before = sum(jobs_done(stack).values())
        stack.manage(
            "shell",
            "-c",
            "from portal.tasks import flush_view_counts_task as job\n"
            "for _ in range(6):\n    job.enqueue()\n",
        )
        until(
            "the workers to run six jobs",
            lambda: sum(jobs_done(stack).values()) >= before + 6,
        )

    def worker_logs() -> dict:
        return {n: p.read_text() for n, p in stack.logs.items() if n[:5] == "weike"}

    # Requests at once, so every gunicorn thread holds a database connection,
    # and jobs, so both workers do.
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert set(pool.map(my_page, range(16))) == {200}
    run_six_jobs()
    postgres_sh = str(ROOT / "scripts" / "postgres.sh")
    data = str(stack.dir / "pg")
    run_checked([postgres_sh, "stop", data], "scripts/postgres.sh stop")
    try:
        down = teacher.get(f"{url}/my/", timeout=30)
        api = teacher.get(f"{url}/api/v1/lessons/", params={"q": "勾股"}, timeout=30)
    finally:
        port = str(urlsplit(stack.postgres).port)
        run_checked([postgres_sh, "start", data, port], "scripts/postgres.sh start")
    assert (down.status_code, down.headers["Retry-After"]) == (503, "30"), down.text
    assert "<p>暂时无法连接数据库，请稍后再试。</p>" in down.text
    assert api.status_code == 503
    assert api.json() == {
        "code": "database_unavailable",
        "detail": "暂时无法连接数据库，请稍后再试。",
    }

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert list(pool.map(my_page, range(16))) == [200] * 16
    # Both workers' connections died too: their next jobs run all the same.
    logs = worker_logs()
    run_six_jobs()
    for name, text in worker_logs().items():
        assert "raised unexpected" not in text[len(logs[name]) :], text[-3000:]
