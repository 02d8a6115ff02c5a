"""Page benchmark: requests/s and p95 latency of the home, tree, search and
lesson pages under 32 concurrent clients against gunicorn, with the demo data
scaled to 10,000 lessons, vs a static file served by the same server (the
baseline, measured in the same run).

    .venv/bin/python bench/pages.py                  # 10,000 lessons
    .venv/bin/python bench/pages.py --lessons 1000 --seconds 3   # smoke run

Runs on a throw-away SQLite database in a temporary WEIKE_VAR_DIR. Two passes:
the production default (anonymous page cache on) and with the page cache off
(every request renders; only the fragment caches help).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from pagegen import lesson_urls, prepare  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- load ----------------------------------------------------------------------


async def fetch(host: str, port: int, path: str) -> tuple[int, float]:
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
        "Accept-Encoding: identity\r\n\r\n".encode()
    )
    await writer.drain()
    data = await reader.read()
    writer.close()
    elapsed = time.perf_counter() - start
    status = int(data[9:12]) if data[:5] == b"HTTP/" else 0
    return status, elapsed


async def load(host, port, paths, clients, seconds):
    latencies, errors = [], 0
    deadline = time.perf_counter() + seconds

    async def client(i):
        nonlocal errors
        n = i
        while time.perf_counter() < deadline:
            status, elapsed = await fetch(host, port, paths[n % len(paths)])
            n += clients
            if status == 200:
                latencies.append(elapsed)
            else:
                errors += 1

    start = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    wall = time.perf_counter() - start
    latencies.sort()
    if not latencies:
        return 0.0, float("nan"), float("nan"), errors
    p50 = latencies[len(latencies) // 2] * 1000
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000
    return len(latencies) / wall, p50, p95, errors


def start_gunicorn(env, port, workers):
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "weike.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--backlog",
        "2048",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def run_pass(label, env, pages, args):
    port = free_port()
    proc = start_gunicorn(env, port, args.workers)
    try:
        results = {}
        for name, paths in pages.items():
            # Warm-up: every worker imports, connects and fills its caches.
            asyncio.run(load("127.0.0.1", port, paths, args.clients, 1.0))
            results[name] = asyncio.run(
                load("127.0.0.1", port, paths, args.clients, args.seconds)
            )
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    base_rps = results["baseline"][0]
    print(f"\n{label}")
    head = ("page", "req/s", "p50 ms", "p95 ms", "vs static", "errors")
    print(
        f"{head[0]:<10}"
        + "".join(f"{h:>9}" for h in head[1:4])
        + f"{head[4]:>11}{head[5]:>8}"
    )
    for name, (rps, p50, p95, errors) in results.items():
        ratio = rps / base_rps if base_rps else float("nan")
        flag = "" if name == "baseline" or p95 < 100 else "  (p95 over 100 ms)"
        print(
            f"{name:<10}{rps:>9.0f}{p50:>9.1f}{p95:>9.1f}{ratio:>10.2f}x"
            f"{errors:>8}{flag}"
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lessons", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--no-index", action="store_true", help="skip search index")
    parser.add_argument(
        "--locmem",
        action="store_true",
        help="per-worker local-memory cache instead of a shared Redis",
    )
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="weike-bench-pages-"))
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="weike.settings.base",
        WEIKE_VAR_DIR=str(var),
        WEIKE_DEBUG="0",
    )
    env.pop("DATABASE_URL", None)
    redis = None
    if not args.locmem:
        # Production shares one Redis between workers (page cache, counters).
        port = free_port()
        redis = subprocess.Popen(
            ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        env["WEIKE_CACHE_URL"] = f"redis://127.0.0.1:{port}/0"
        time.sleep(0.5)
    os.environ.update(env)
    try:
        print(f"Preparing {args.lessons} lessons in {var} …")
        prepare(args.lessons, index=not args.no_index)
        from django.db import connections

        pages = {
            "baseline": ["/static/weike/site.js"],
            "home": ["/"],
            "tree": ["/browse/junior/maths/", "/browse/senior/physics/", "/browse/"],
            "search": [
                "/find/?q=" + quote(q) for q in ("函数", "勾股定理", "实验", "方程")
            ],
        }
        lessons = lesson_urls(3000)
        # Popular lessons (what most visitors open) and a cold spread where
        # nearly every request is a different lesson, i.e. a full render.
        pages["lesson"] = lessons[:20]
        pages["lesson-cold"] = lessons[20:]
        connections.close_all()
        print(
            f"cache: {'local memory per worker' if args.locmem else 'shared Redis'}; "
            f"gunicorn: {args.workers} sync workers; {args.clients} clients; "
            f"{args.seconds:.0f} s per page; {os.cpu_count()} CPUs shared with "
            "the load generator"
        )
        cached = run_pass(
            "Production default (anonymous page cache on):", env, pages, args
        )
        run_pass(
            "Page cache off (WEIKE_PAGE_CACHE_SECONDS=0):",
            {**env, "WEIKE_PAGE_CACHE_SECONDS": "0"},
            pages,
            args,
        )
        worst = max(
            r[2] for n, r in cached.items() if n not in ("baseline", "lesson-cold")
        )
        print(
            f"\nworst p95 with the page cache (cold lessons aside): {worst:.1f} ms"
            " (target < 100 ms)"
        )
    finally:
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
        shutil.rmtree(var, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
