"""Benchmark of the media pipeline against commands that are not ours.

1. Transcode: on generated 1080p inputs (camera-like: moving test pattern with
   noise, never copyable; slide-like: a still page that changes every few
   seconds, keyframes every 2 s, so its top rung may be copied), the CPU and
   wall time of our pipeline (services.process_video: storage download,
   probe, packet scan, validation, poster seek, the ffmpeg passes, Pillow
   images, storage upload) against, in the same run, two baselines written
   out literally below (nothing from media_pipeline builds them):
   (a) BASELINE_SINGLE: one ffmpeg decode split into the same four x264
       veryfast CRF 23 rungs (+ storyboard tile), then HLS by remux of each
       MP4 and a poster by seek, the way ffmpeg's documentation composes them;
   (b) BASELINE_PER_RENDITION: the peers' shape (MediaCMS and most CMS
       transcoders): one ffmpeg process per rendition, each decoding the
       source again, then the same remux, poster and a storyboard process.
   Also the time from the end of the upload to the first playable rung.
2. Upload: peak RSS growth of a server process receiving a 2 GB file through
   the tus view (a WSGI server subprocess; the body is generated, never held
   in memory by the client).

Usage:  .venv/bin/python bench/transcode.py [--seconds 60] [--upload-mb 2048]
Smoke:  .venv/bin/python bench/transcode.py --seconds 4 --skip-upload
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import resource
import shlex
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
        + ["-g", str(2 * fps), "-pix_fmt", "yuv420p"]
        + ["-c:a", "aac", "-b:a", "128k", str(path)],
        check=True,
    )
    return path


# The ladder of docs/media-pipeline.md: (height, maxrate k, audio k).
RUNGS = [(1080, 5000, 128), (720, 2800, 128), (480, 1400, 96), (360, 800, 64)]
X264 = "-c:v libx264 -preset veryfast -profile:v high -crf 23 -sc_threshold 0"


def rung_args(height, maxrate, audio, fps) -> str:
    return (
        f"{X264} -maxrate {maxrate}k -bufsize {2 * maxrate}k -g {2 * fps} "
        f"-c:a aac -b:a {audio}k -ac 2 -movflags +faststart"
    )


# (a) One decode, four encodes and the storyboard from a split; literal text.
BASELINE_SINGLE = (
    "ffmpeg -v error -y -i {src} -filter_complex "
    "[0:v]split=5[a][b][c][d][e];[a]scale=-2:1080[v1080];[b]scale=-2:720[v720];"
    "[c]scale=-2:480[v480];[d]scale=-2:360[v360];"
    "[e]fps=1/{interval},scale=160:-2,tile=10x10[sb] "
    "-map [v1080] -map 0:a {r1080} 1080p.mp4 "
    "-map [v720] -map 0:a {r720} 720p.mp4 "
    "-map [v480] -map 0:a {r480} 480p.mp4 "
    "-map [v360] -map 0:a {r360} 360p.mp4 "
    "-map [sb] -frames:v 1 storyboard.jpg"
)
# HLS by remux of an MP4, and a poster by input seek.
HLS_REMUX = (
    "ffmpeg -v error -y -i {h}p.mp4 -c copy -f hls -hls_time 4 "
    "-hls_playlist_type vod -hls_segment_type fmp4 "
    "-hls_fmp4_init_filename {h}p_init.mp4 -hls_segment_filename hls/{h}p_%05d.m4s "
    "hls/{h}p.m3u8"
)
POSTER = "ffmpeg -v error -y -ss {t} -i {src} -frames:v 1 -vf scale=-2:720 poster.png"
# (b) The peers' shape: a process per rendition, each decoding the source.
BASELINE_PER_RENDITION = "ffmpeg -v error -y -i {src} -vf scale=-2:{h} {r} {h}p.mp4"
STORYBOARD_ALONE = (
    "ffmpeg -v error -y -i {src} -vf fps=1/{interval},scale=160:-2,tile=10x10 "
    "-frames:v 1 storyboard.jpg"
)


def baseline_commands(src: Path, seconds: float, fps: int, single: bool):
    interval = max(2, math.ceil(seconds / 100))
    fill = {"src": src, "interval": interval, "t": round(seconds * 0.3, 2)}
    args = {f"r{h}": rung_args(h, m, a, fps) for h, m, a in RUNGS}
    if single:
        cmds = [BASELINE_SINGLE.format(**fill, **args)]
    else:
        cmds = [
            BASELINE_PER_RENDITION.format(**fill, h=h, r=args[f"r{h}"])
            for h, _m, _a in RUNGS
        ]
        cmds.append(STORYBOARD_ALONE.format(**fill))
    cmds += [HLS_REMUX.format(h=h) for h, _m, _a in RUNGS]
    cmds.append(POSTER.format(**fill))
    return [shlex.split(c) for c in cmds]


CPU = {}


def timed(fn, label: str = "") -> float:
    """Wall seconds of fn(); CPU seconds (this process + children) in CPU[label].

    CPU time is the fair figure on a shared machine: wall time carries the
    load of whatever else runs.
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


def bench_transcode(
    kind: str, seconds: int, fps: int, tmp: Path, user, baselines: bool = True
) -> dict:
    from media_pipeline import services, transcode
    from media_pipeline.models import VideoStatus

    src = generate(kind, seconds, fps, tmp / f"{kind}.mp4")
    with open(src, "rb") as fh:
        video = services.create_video(
            title=kind, fileobj=fh, original_filename=src.name, user=user, enqueue=False
        )
    # The first playable moment: when the second pass starts, the lowest
    # rung, the poster and its master playlist are in storage.
    real_pass, marks, passes = transcode.run_pass, {}, []

    def watch(*args, **kwargs):
        passes.append(1)
        if len(passes) == 2:
            marks.setdefault("first", time.perf_counter())
        return real_pass(*args, **kwargs)

    transcode.run_pass = watch
    start = time.perf_counter()
    try:
        t_pipeline = timed(lambda: services.process_video(video.pk), "pipeline")
    finally:
        transcode.run_pass = real_pass
    video.refresh_from_db()
    assert video.status == VideoStatus.READY, video.reason_detail
    rungs = ", ".join(
        f"{r.profile}{' (copy)' if r.copied else ''}"
        for r in video.renditions.order_by("-height")
    )

    def run_all(dirname, commands):
        work = tmp / dirname
        shutil.rmtree(work, ignore_errors=True)
        (work / "hls").mkdir(parents=True)
        for args in commands:
            subprocess.run(args, cwd=work, check=True, stdout=subprocess.DEVNULL)

    t_single = t_per = math.nan
    if baselines:
        single = baseline_commands(src, seconds, fps, single=True)
        per = baseline_commands(src, seconds, fps, single=False)
        t_single = timed(lambda: run_all(f"{kind}-single", single), "single")
        t_per = timed(lambda: run_all(f"{kind}-per", per), "per")
    else:
        CPU["single"] = CPU["per"] = math.nan
    return {
        "cpu": dict(CPU),
        "kind": kind,
        "rungs": rungs,
        "pipeline": t_pipeline,
        # One pass (a lesson under MEDIA_FIRST_PLAYABLE_MIN_SECONDS): playable
        # when the whole ladder is.
        "first_playable": marks["first"] - start if "first" in marks else t_pipeline,
        "early_pass": "first" in marks,
        "single": t_single,
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
    parser.add_argument("--inputs", default="camera,slide", help="camera,slide")
    parser.add_argument(
        "--skip-baselines",
        action="store_true",
        help="only the pipeline and its first playable rung (long inputs)",
    )
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
            bench_transcode(
                kind, args.seconds, args.fps, tmp, user, not args.skip_baselines
            )
            for kind in args.inputs.split(",")
        ]
        print(
            f"{'input':8} {'pipeline':>9} {'single':>8} {'per-rung':>9} "
            f"{'pipe/single':>12} {'per-rung/pipe':>14}  rungs"
        )
        for label, key in (("wall", None), ("CPU", "cpu")):
            print(f"{label} seconds:")
            for r in rows:
                v = (
                    r[key]
                    if key
                    else {
                        "pipeline": r["pipeline"],
                        "single": r["single"],
                        "per": r["per_rendition"],
                    }
                )
                print(
                    f"{r['kind']:8} {v['pipeline']:8.1f}s {v['single']:7.1f}s "
                    f"{v['per']:8.1f}s {v['pipeline'] / v['single']:11.2f}x "
                    f"{v['per'] / v['pipeline']:13.2f}x  {r['rungs']}"
                )
        print("first playable rung (from the end of the upload):")
        for r in rows:
            print(
                f"{r['kind']:8} {r['first_playable']:8.1f}s of {r['pipeline']:.1f}s "
                f"({r['first_playable'] / r['pipeline']:.0%} of the whole job"
                + ("" if r["early_pass"] else "; one pass, no early 360p")
                + ")"
            )
        print(
            "targets: CPU pipeline/single <= 1.10x; per-rung/pipeline >= 1.3x "
            "(camera); first playable < 25% of the job"
        )

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
