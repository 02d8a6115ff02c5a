"""Fixtures of the media pipeline: generated clips, moto S3, Redis, a Celery worker.

Every service is a real process started here on 127.0.0.1 and a free port.
When one cannot be started the test fails (CI installs everything).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PART_SIZE_FOR_TESTS = 128 * 1024  # moto is told to accept parts this small


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_video(video, done, seconds: float) -> bool:
    """Re-read `video` until done(video) (a worker in another process moves
    it) or the time is up; False then."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        video.refresh_from_db()
        if done(video):
            return True
        time.sleep(0.2)
    return False


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port} after {timeout}s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_or_fail(port: int, proc: subprocess.Popen, what: str) -> None:
    """Wait for a service started here; stop it and fail the test if it is not up."""
    try:
        # Generous: five test runs share two cores on the CI machine.
        wait_for_port(port, proc, timeout=90)
    except RuntimeError as exc:
        stop(proc)
        pytest.fail(f"{what} did not start: {exc}")


# --- Generated clips ------------------------------------------------------------

# name -> (filename, ffmpeg output arguments after the lavfi inputs, seconds, size)
CLIPS = {
    "mp4_h264": (
        "lesson.mp4",
        # A keyframe every 2 s (on the HLS segment grid): its top rung is copied.
        ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "20"]
        + ["-c:a", "aac", "-b:a", "64k"],
        31,
        "640x480",
    ),
    "webm_vp8": (
        "lesson.webm",
        ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k"]
        + ["-c:a", "libvorbis"],
        31,
        "640x480",
    ),
    "avi_mpeg4": (
        "lesson.avi",
        ["-c:v", "mpeg4", "-q:v", "8", "-c:a", "mp2"],
        31,
        "854x480",
    ),
    "flv_flv1": (
        "lesson.flv",
        ["-c:v", "flv", "-q:v", "8", "-c:a", "aac", "-ar", "44100"],
        31,
        "640x480",
    ),
    "landscape_854": (
        "camera.mp4",
        ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        + ["-c:a", "aac"],
        31,
        "854x480",
    ),
    "short": (
        "short.mp4",
        ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
        5,
        "640x480",
    ),
    "low_res": (
        "small.mp4",
        ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
        31,
        "320x240",
    ),
    "tiny": (  # for the worker test, with the duration rule relaxed
        "tiny.mp4",
        ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        + ["-c:a", "aac"],
        3,
        "640x480",
    ),
}


class ClipFactory:
    def __init__(self, directory: Path):
        self.dir = directory

    def __call__(self, name: str) -> Path:
        if name in CLIPS:
            return self._generate(name)
        return getattr(self, name)()

    def _ffmpeg(self, target: Path, args: list[str], timeout: float = 60) -> Path:
        """Make `target` with `ffmpeg args… target` unless it is already there."""
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                ["ffmpeg", "-v", "error", "-y", *args, str(target)],
                check=True,
                timeout=timeout,
            )
        return target

    def _generate(self, name: str) -> Path:
        filename, out_args, seconds, size = CLIPS[name]
        audio = [] if "-c:a" not in out_args else ["-f", "lavfi", "-i", "sine=f=440"]
        return self._ffmpeg(
            self.dir / name / filename,
            ["-f", "lavfi", "-i", f"testsrc=size={size}:rate=10", *audio]
            + ["-t", str(seconds), *out_args],
            timeout=120,
        )

    def portrait_rotated(self) -> Path:
        """A phone held upright: landscape pixels with a 90° display matrix."""
        # ffmpeg 5.1 only writes the rotation when stream-copying.
        return self._ffmpeg(
            self.dir / "portrait" / "phone.mov",
            ["-i", str(self("landscape_854"))]
            + ["-c", "copy", "-metadata:s:v:0", "rotate=90"],
        )

    def audio_only(self) -> Path:
        return self._ffmpeg(
            self.dir / "audio" / "lesson.m4a",
            ["-f", "lavfi", "-i", "sine=f=440", "-t", "31", "-c:a", "aac"],
        )

    def zero_byte(self) -> Path:
        target = self.dir / "zero" / "empty.mp4"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"")
        return target

    def truncated(self) -> Path:
        source = self("mp4_h264").read_bytes()
        target = self.dir / "truncated" / "cut.mp4"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source[: len(source) * 2 // 5])
        return target

    def text_as_mp4(self) -> Path:
        target = self.dir / "text" / "notes.mp4"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("这不是视频。This is not a video.\n" * 200, "utf-8")
        return target

    def hls_as_avi(self, local_file: Path, url: str) -> Path:
        """A playlist named .avi pointing at a local file and at a URL."""
        target = self.dir / f"evil-{uuid.uuid4().hex[:6]}" / "lesson.avi"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:40\n"
            "#EXT-X-MEDIA-SEQUENCE:0\n"
            f"#EXTINF:40.0,\nfile://{local_file}\n"
            f"#EXTINF:40.0,\n{url}\n#EXT-X-ENDLIST\n"
        )
        return target


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """Classroom-like files (tests/media_corpus.py), generated on first use."""
    from tests.media_corpus import Corpus

    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        pytest.fail("ffmpeg/ffprobe are required (scripts/install-system-deps.sh)")
    return Corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def media_clips(tmp_path_factory) -> ClipFactory:
    """Clips generated with lavfi on first use, cached for the session."""
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        pytest.fail("ffmpeg/ffprobe are required (scripts/install-system-deps.sh)")
    return ClipFactory(tmp_path_factory.mktemp("clips"))


def ffprobe_streams(path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json"]
        + ["-show_format", "-show_streams", str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return json.loads(out)


# --- tus requests -------------------------------------------------------------

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


def tus_patch(client, url, offset: int, data: bytes):
    """One tus PATCH of `data` at `offset` through the Django test client."""
    return client.generic(
        "PATCH",
        url,
        data,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset),
        **TUS,
    )


# --- S3 (moto server over HTTP) ---------------------------------------------------


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    port = free_port()
    env = {**os.environ, "S3_UPLOAD_PART_MIN_SIZE": str(PART_SIZE_FOR_TESTS)}
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-c", "from moto.server import main; main()"]
        + ["-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_or_fail(port, proc, "moto server")
    yield f"http://127.0.0.1:{port}"
    stop(proc)
    log.close()


@pytest.fixture
def s3_storage(settings, moto_server):
    """Switch default storage to a fresh bucket on the moto server."""
    import boto3

    bucket = f"weike-{uuid.uuid4().hex[:10]}"
    credentials = {
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "region_name": "us-east-1",
    }
    client = boto3.client("s3", endpoint_url=moto_server, **credentials)
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": moto_server,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "addressing_style": "path",
                "signature_version": "s3v4",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
            },
        },
    }
    settings.UPLOAD_PART_SIZE = PART_SIZE_FOR_TESTS
    return {"client": client, "bucket": bucket, "endpoint": moto_server}


# --- Redis and a Celery worker ------------------------------------------------------


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is required (scripts/install-system-deps.sh)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_or_fail(port, proc, "redis-server")
    yield f"redis://127.0.0.1:{port}/0"
    stop(proc)


WORKER_SETTINGS = """\
from pathlib import PosixPath  # noqa: F401  (used by the repr below)

from weike.settings.test import *  # noqa: F403

DATABASES = {databases}
MEDIA_ROOT = {media_root!r}
BROKER_URL = {broker!r}
TASKS = {{"default": {{"BACKEND": "media_pipeline.celery_backend.CeleryBackend"}}}}
MEDIA_VALIDATION = {{"MIN_DURATION": 1.0}}
# Under the 5 s visibility timeout below: a killed worker's job is taken over.
MEDIA_JOB_LEASE_SECONDS = 3
"""


def start_celery_worker(directory: Path, name: str, env: dict, options: list[str]):
    """A real `celery worker` on the queue `weike` (its own process group, so
    killpg reaches its ffmpeg children too) with the environment `env`, once it
    says it is ready; returns (proc, open log, log path) for the caller to stop
    and close. Fails the test when it does not start."""
    log_path = directory / f"{name}.log"
    log = open(log_path, "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "media_pipeline.celery_app"]
        + ["worker", "-Q", "weike", "-l", "info", "-n", name, *options]
        + ["--without-gossip", "--without-mingle"],
        cwd=str(ROOT),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    # Generous: on a loaded CI machine importing Django + Celery is slow.
    deadline = time.monotonic() + 120
    while "ready." not in log_path.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            log.close()
            pytest.fail(f"celery worker did not start:\n{log_path.read_text()}")
        time.sleep(0.2)
    return proc, log, log_path


@pytest.fixture
def celery_workers(redis_server, settings, tmp_path):
    """start(name) → a real `celery worker` subprocess (its own process group)
    on the Redis broker and the test DB; all are stopped afterwards. Broker
    messages of a killed worker come back after 5 s (not 4 h) here."""
    from django.db import connection

    databases = {"default": {**connection.settings_dict}}
    (tmp_path / "mp_worker_settings.py").write_text(
        WORKER_SETTINGS.format(
            databases=repr(databases),
            media_root=str(settings.MEDIA_ROOT),
            broker=redis_server,
        )
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mp_worker_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        "WEIKE_BROKER_URL": redis_server,
        "WEIKE_BROKER_VISIBILITY_TIMEOUT": "5",
    }
    started = []

    def start(name="worker"):
        proc, log, log_path = start_celery_worker(
            tmp_path, name, env, ["-P", "solo", "--without-heartbeat"]
        )
        started.append((proc, log))
        return {"proc": proc, "log": log_path}

    settings.BROKER_URL = redis_server
    settings.TASKS = {
        "default": {"BACKEND": "media_pipeline.celery_backend.CeleryBackend"}
    }
    yield start
    for proc, log in started:
        stop(proc)
        log.close()


@pytest.fixture
def celery_worker(celery_workers):
    """One running worker: {"proc", "log"}."""
    return celery_workers()


def said(obj, lang: str, attr: str = "message") -> str:
    """`obj.<attr>` read in language `lang` (messages are translated when read)."""
    from django.utils import translation

    with translation.override(lang):
        return str(getattr(obj, attr))
