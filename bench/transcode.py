"""Benchmark of the media pipeline.

1. Transcode: on generated 1080p inputs (camera-like: moving test pattern with
   noise; slide-like: a still page that changes every few seconds), the wall
   time of our pipeline (services.process_video: storage download, probe,
   validation, the single ffmpeg run, progress, Pillow images, storage upload)
   against, in the same run,
   (a) the bare single ffmpeg command for the same ladder and outputs, and
   (b) one ffmpeg process per rendition (plus one for poster/storyboard).
2. Upload: peak RSS growth of a server process receiving a 2 GB file through
   the tus view (a WSGI server subprocess; the body is generated, never held
   in memory by the client).

Usage:  .venv/bin/python bench/transcode.py [--seconds 60] [--upload-mb 2048]
Smoke:  .venv/bin/python bench/transcode.py --seconds 4 --upload-mb 64
"""

from __future__ import annotations

import argparse
import http.client
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def generate(kind: str, seconds: int, fps: int, path: Path) -> Path:
    if kind == "camera":
        video = f"testsrc2=size=1920x1080:rate={fps},noise=alls=6:allf=p,hue=H=0.1*t"
    else:  # slide-like: a white page whose content changes every 5 s
        video = (
            f"color=c=white:size=1920x1080:rate={fps},"
            "drawbox=x='200+mod(floor(t/5)*317\\,1200)':y=180:w=520:h=300:"
            "color=navy:t=fill,"
            "drawgrid=w=1920:h=90:t=2:color=gray"
        )
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", video]
        + ["-f", "lavfi", "-i", "sine=f=330", "-t", str(seconds)]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "23"]
        + ["-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", str(path)],
        check=True,
    )
    return path


CPU = {}


def timed(fn, label: str = "") -> float:
    """Wall seconds of fn(); CPU seconds (this process + children) in CPU[label].

    CPU time is reported too because other jobs may share the machine: wall
    ratios then carry noise that CPU ratios do not.
    """
    before = _cpu()
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    CPU[label] = _cpu() - before
    return elapsed


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def bench_transcode(kind: str, seconds: int, fps: int, tmp: Path, user) -> dict:
    from media_pipeline import services
    from media_pipeline.models import VideoStatus
    from media_pipeline.probe import probe
    from media_pipeline.transcode import build_command, plan

    src = generate(kind, seconds, fps, tmp / f"{kind}.mp4")
    info = probe(src)
    p = plan(info)
    rungs = ", ".join(f"{r.name}{' (copy)' if r.copy else ''}" for r in p.rungs)

    with open(src, "rb") as fh:
        video = services.create_video(
            title=kind, fileobj=fh, original_filename=src.name, user=user, enqueue=False
        )
    t_pipeline = timed(lambda: services.process_video(video.pk), "pipeline")
    video.refresh_from_db()
    assert video.status == VideoStatus.READY, video.reason_detail

    def run_in(dirname, args):
        work = tmp / dirname
        shutil.rmtree(work, ignore_errors=True)
        (work / "hls").mkdir(parents=True)
        subprocess.run(args, cwd=work, check=True, stdout=subprocess.DEVNULL)

    bare_args = build_command(src, info, p)
    t_bare = timed(lambda: run_in(f"{kind}-bare", bare_args), "bare")

    def per_rendition():
        for rung in p.rungs:
            single = plan(info, [rung.name])
            run_in(f"{kind}-{rung.name}", build_command(src, info, single, False))
        extras = plan(info, [p.rungs[-1].name])
        extras.rungs = []
        run_in(f"{kind}-extras", build_command(src, info, extras, True))

    t_per = timed(per_rendition, "per")
    return {
        "cpu": dict(CPU),
        "kind": kind,
        "rungs": rungs,
        "pipeline": t_pipeline,
        "bare": t_bare,
        "per_rendition": t_per,
    }


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def bench_upload(size_mb: int, env: dict, cookie: str, head: bytes) -> dict:
    from tests.fixtures_media import free_port, wait_for_port

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from wsgiref.simple_server import make_server, "
            "WSGIRequestHandler\n"
            "class Quiet(WSGIRequestHandler):\n"
            "    def log_message(self, *a): pass\n"
            "from weike.wsgi import application\n"
            f"make_server('127.0.0.1', {port}, application, "
            "handler_class=Quiet).serve_forever()",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_port(port, server, timeout=60)
        headers = {
            "Tus-Resumable": "1.0.0",
            "Cookie": cookie,
            "Host": "127.0.0.1",
        }
        total = size_mb * 1024 * 1024

        def request(method, url, body=None, extra=None):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            conn.request(method, url, body=body, headers={**headers, **(extra or {})})
            response = conn.getresponse()
            response.read()
            conn.close()
            return response

        # Warm up (imports, first DB connection) before taking the baseline.
        request("OPTIONS", "/ingest/tus/")
        created = request("POST", "/ingest/tus/", extra={"Upload-Length": str(total)})
        assert created.status == 201, created.status
        url = created.getheader("Location").split("127.0.0.1", 1)[-1]
        url = url[url.index("/") :]
        request("HEAD", url)
        baseline = rss_kb(server.pid)
        peak = [baseline]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_kb(server.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

        request_size = 256 * 1024 * 1024
        block = bytes(1024 * 1024)

        def body(start, length):
            sent = 0
            if start == 0:
                yield head
                sent = len(head)
            while sent < length:
                n = min(len(block), length - sent)
                yield block[:n]
                sent += n

        started = time.perf_counter()
        offset = 0
        while offset < total:
            length = min(request_size, total - offset)
            response = request(
                "PATCH",
                url,
                body=body(offset, length),
                extra={
                    "Content-Type": "application/offset+octet-stream",
                    "Upload-Offset": str(offset),
                    "Content-Length": str(length),
                },
            )
            assert response.status == 204, (response.status, offset)
            offset += length
        elapsed = time.perf_counter() - started
        stop.set()
        sampler.join()
        status = response.getheader("Weike-Upload-Status")
        return {
            "size_mb": size_mb,
            "baseline_mb": baseline / 1024,
            "peak_mb": peak[0] / 1024,
            "growth_mb": (peak[0] - baseline) / 1024,
            "seconds": elapsed,
            "status": status,
        }
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument("--upload-mb", type=int, default=2048)
    parser.add_argument("--skip-upload", action="store_true")
    parser.add_argument("--skip-transcode", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="weike-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "weike.settings.base",
        "WEIKE_VAR_DIR": str(tmp / "var"),
        "WEIKE_VIDEO_MIN_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("WEIKE_BROKER_URL", None)
    env.pop("DATABASE_URL", None)
    os.environ.update(env)
    print(f"work dir {tmp}; migrating a scratch database …", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.create_user("bench", password="x")

    if not args.skip_transcode:
        print(
            f"\n== Transcode: {args.seconds} s of 1080p{args.fps}, full ladder, "
            f"x264 preset {settings.MEDIA_X264_PRESET}, {os.cpu_count()} CPUs"
        )
        rows = [
            bench_transcode(kind, args.seconds, args.fps, tmp, user)
            for kind in ("camera", "slide")
        ]
        print(
            f"{'input':8} {'pipeline':>9} {'bare':>8} {'per-rung':>9} "
            f"{'pipe/bare':>10} {'pipe/per-rung':>14}  rungs"
        )
        for r in rows:
            print(
                f"{r['kind']:8} {r['pipeline']:8.1f}s {r['bare']:7.1f}s "
                f"{r['per_rendition']:8.1f}s {r['pipeline'] / r['bare']:9.2f}x "
                f"{r['pipeline'] / r['per_rendition']:13.2f}x  {r['rungs']}"
            )
        print("CPU seconds (ffmpeg children + this process):")
        for r in rows:
            c = r["cpu"]
            print(
                f"{r['kind']:8} {c['pipeline']:8.1f}s {c['bare']:7.1f}s "
                f"{c['per']:8.1f}s {c['pipeline'] / c['bare']:9.2f}x "
                f"{c['pipeline'] / c['per']:13.2f}x"
            )
        print("targets: pipeline/bare <= 1.10x, pipeline/per-rung < 1.00x")

    if not args.skip_upload:
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        cookie = f"{name}={client.cookies[name].value}"
        head_src = tmp / "head.mp4"
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-f", "lavfi"]
            + ["-i", "testsrc=size=1280x720:rate=10", "-t", "60"]
            + ["-c:v", "libx264", "-preset", "ultrafast", "-movflags", "+faststart"]
            + [str(head_src)],
            check=True,
        )
        # A real video head (index first) so the early probe accepts it; the
        # rest of the 2 GB is generated filler.
        head = head_src.read_bytes()[: 1024 * 1024]
        print(f"\n== Upload: {args.upload_mb} MB through the tus view (WSGI server)")
        r = bench_upload(args.upload_mb, env, cookie, head)
        print(
            f"server RSS baseline {r['baseline_mb']:.1f} MB, "
            f"peak {r['peak_mb']:.1f} MB, "
            f"growth {r['growth_mb']:.1f} MB for {r['size_mb']} MB "
            f"({r['growth_mb'] / r['size_mb'] * 100:.2f}% of the file); "
            f"{r['size_mb'] / r['seconds']:.0f} MB/s; upload {r['status']}"
        )
        print("target: growth < 100 MB")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
