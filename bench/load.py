"""Load and soak test of the site with Locust (bench/locustfile.py): anonymous
visitors, logged-in teachers, editors, searches and tus uploads in parallel
against gunicorn (deploy/gunicorn.conf.py) on PostgreSQL and Redis, with the
demo scaled to --lessons lessons (bench/pagegen.py). Prints requests, errors,
p50 and p95 per page, and the web processes' memory (RSS) over the run.

    .venv/bin/python bench/load.py                          # 10,000 lessons, 2 min
    .venv/bin/python bench/load.py --soak --minutes 10      # memory over 10 min
    .venv/bin/python bench/load.py --url http://host:8000   # a running site

PostgreSQL is the throw-away server of scripts/postgres.sh, Redis a private
redis-server; both are stopped at the end (--keep-db DIR keeps the database
between runs: generating 10,000 lessons and their search rows takes minutes).
Locust is a dev dependency (requirements.lock); --locust names another binary.
No Celery worker runs: uploads are received, checked and filed as drafts;
transcoding is bench/transcode.py's measurement.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
# Pages with the target (p95 < 100 ms at 32 clients).
TARGET_PAGES = ("home", "tree", "search", "lesson", "my")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on port {port}")


# --- the stack -------------------------------------------------------------------


def django_env(var: Path, database_url: str, cache_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="weike.settings.base",
        WEIKE_VAR_DIR=str(var),
        WEIKE_DEBUG="0",
        DATABASE_URL=database_url,
        WEIKE_CACHE_URL=cache_url,
        # Uploaders share three teacher accounts: allow their parallel uploads.
        WEIKE_UPLOAD_MAX_OPEN="50",
    )
    return env


def prepare_data(env: dict, lessons: int, out: Path) -> None:
    """Lessons, search rows, static files and the lesson list, in a child
    process (Django is set up there, not in the process that measures)."""
    code = f"""
import sys
sys.path[:0] = [{str(ROOT)!r}, {str(BENCH)!r}]
import django
django.setup()
from django.db import connection
from catalog.models import CatalogEntryPage
from pagegen import lesson_urls, prepare
# A new database has no tables yet (prepare() migrates it).
made = CatalogEntryPage._meta.db_table in connection.introspection.table_names()
if not made or CatalogEntryPage.objects.count() < {lessons}:
    prepare({lessons}, index=True)
else:
    from django.core.management import call_command
    call_command("collectstatic", interactive=False, verbosity=0)
open({str(out)!r}, "w").write("\\n".join(lesson_urls(2000)))
"""
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)


def make_video(path: Path) -> None:
    """31 s of 854x480 test picture with sound: the shortest and smallest
    video the upload checks accept (WEIKE_VIDEO_MIN_SECONDS, _MIN_LINES)."""
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=size=854x480:rate=5:duration=31",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=31",
            "-c:v", "libx264", "-preset", "ultrafast", "-crf", "40",
            "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", str(path),
        ],
        check=True,
    )  # fmt: skip


def start_gunicorn(env: dict, port: int, workers: int, log: Path):
    env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
    }
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "weike.wsgi:application",
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            str(log),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    wait_port(port)
    return proc


# --- memory ------------------------------------------------------------------------


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The parent id is the 2nd field after the ")" closing the name.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(entry.name))
    return out


class RssSampler(threading.Thread):
    """The gunicorn master's and workers' RSS every `every` seconds."""

    def __init__(self, master: int, every: float):
        super().__init__(daemon=True)
        self.master, self.every = master, every
        self.samples: list[tuple[float, int, int, int]] = []  # t, n, total, max
        self.stop = threading.Event()

    def run(self):
        start = time.time()
        while not self.stop.is_set():
            workers = [rss_kib(p) for p in children(self.master)]
            total = rss_kib(self.master) + sum(workers)
            self.samples.append(
                (time.time() - start, len(workers), total, max(workers, default=0))
            )
            self.stop.wait(self.every)


# --- report ------------------------------------------------------------------------


def report(stats_csv: Path, seconds: float) -> bool:
    rows = list(csv.DictReader(stats_csv.open()))
    print(
        f"\n{'page':<16}{'requests':>9}{'errors':>8}{'req/s':>8}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
    )
    ok = True
    for row in rows:
        name = row["Name"]
        requests, errors = int(row["Request Count"]), int(row["Failure Count"])
        p95 = float(row["95%"] or 0)
        flag = ""
        if name in TARGET_PAGES and p95 >= 100:
            flag = "  (p95 over 100 ms)"
        if errors:
            ok = False
        label = "all" if name == "Aggregated" else name
        print(
            f"{label:<16}{requests:>9}{errors:>8}{requests / seconds:>8.1f}"
            f"{float(row['50%'] or 0):>8.0f}{p95:>8.0f}"
            f"{float(row['99%'] or 0):>8.0f}{flag}"
        )
    return ok


def report_memory(samples) -> None:
    if not samples:
        return
    print("\nweb processes' memory (RSS, master + workers):")
    step = max(1, len(samples) // 12)
    for t, n, total, biggest in samples[::step] + samples[-1:]:
        print(
            f"  {t:6.0f} s  {n} workers  total {total / 1024:7.1f} MiB"
            f"  largest worker {biggest / 1024:6.1f} MiB"
        )
    # Growth over the second half: the first half includes warming up.
    half = samples[len(samples) // 2 :]
    if len(half) >= 2:
        (t0, _n, m0, _b), (t1, _n1, m1, _b1) = half[0], half[-1]
        rate = (m1 - m0) / 1024 / max(1e-9, (t1 - t0) / 60)
        print(f"  second half: {rate:+.2f} MiB per minute")


# --- main ---------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lessons", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=32, help="Locust users")
    parser.add_argument("--spawn-rate", type=float, default=8)
    parser.add_argument("--minutes", type=float, default=2)
    parser.add_argument("--soak", action="store_true", help="sample RSS often")
    parser.add_argument("--sample-seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--url", help="a running site instead of a new stack")
    parser.add_argument("--keep-db", type=Path, help="PostgreSQL directory kept")
    parser.add_argument("--pg-port", type=int, default=54431)
    parser.add_argument(
        "--locust",
        default=shutil.which("locust") or str(ROOT / ".venv" / "bin" / "locust"),
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="weike-load-"))
    pg_dir = args.keep_db or work / "pg"
    stack, redis, web = [], None, None
    seconds = args.minutes * 60
    sampler = None
    try:
        lessons_file, video = work / "lessons.txt", work / "load.mp4"
        make_video(video)
        if args.url:
            host = args.url.rstrip("/")
        else:
            pg = [str(ROOT / "scripts/postgres.sh"), "start", str(pg_dir)]
            database_url = subprocess.run(
                [*pg, str(args.pg_port)], check=True, capture_output=True, text=True
            ).stdout.strip()
            stack.append(pg_dir)
            redis_port = free_port()
            redis = subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--save", "",
                 "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
            wait_port(redis_port)
            env = django_env(
                work / "var", database_url, f"redis://127.0.0.1:{redis_port}/0"
            )
            print(f"Preparing {args.lessons} lessons on PostgreSQL …", flush=True)
            t = time.perf_counter()
            prepare_data(env, args.lessons, lessons_file)
            print(f"  ready in {time.perf_counter() - t:.0f} s", flush=True)
            port = free_port()
            web = start_gunicorn(env, port, args.workers, work / "gunicorn.log")
            host = f"http://127.0.0.1:{port}"
            sampler = RssSampler(web.pid, args.sample_seconds if args.soak else 5)
            sampler.start()
        print(
            f"Locust: {args.users} users for {args.minutes:g} min against {host}"
            f" ({args.workers} gunicorn workers × 4 threads; {os.cpu_count()} CPUs"
            f" shared with Locust, PostgreSQL and anything else; load average"
            f" {os.getloadavg()[0]:.1f} at the start)",
            flush=True,
        )
        prefix = work / "locust"
        subprocess.run(
            [
                args.locust, "-f", str(BENCH / "locustfile.py"), "--headless",
                "--host", host, "-u", str(args.users), "-r", str(args.spawn_rate),
                "-t", f"{int(seconds)}s", "--csv", str(prefix), "--only-summary",
                "--loglevel", "WARNING", "--stop-timeout", "10",
            ],
            env={
                **os.environ,
                "WEIKE_LOAD_LESSONS": str(lessons_file),
                "WEIKE_LOAD_VIDEO": str(video),
            },
            check=False,
        )  # fmt: skip
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        ok = report(Path(f"{prefix}_stats.csv"), seconds)
        if sampler is not None:
            sampler.stop.set()
            sampler.join()
            report_memory(sampler.samples)
        failures = Path(f"{prefix}_failures.csv")
        if failures.exists() and len(failures.read_text().splitlines()) > 1:
            print("\nerrors:\n" + failures.read_text())
        return 0 if ok else 1
    finally:
        if web is not None:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait(timeout=60)
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
        for pg in stack:
            subprocess.run([str(ROOT / "scripts/postgres.sh"), "stop", str(pg)])
        if args.keep_db is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
