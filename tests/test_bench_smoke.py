"""The benchmarks still run against the code they measure: each at its
smallest size, in a process of its own, as their docstrings show. bench/search.py
had stopped at its first insert (LessonPage.allow_download is NOT NULL) and
nothing noticed until a 100,000-lesson run was due."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Once: they build their own throw-away databases, whichever pass runs them.
pytestmark = pytest.mark.sqlite_pass


def _run(*args: str, timeout: int = 300) -> str:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


def test_search_benchmark_runs():
    out = _run(
        "bench/search.py",
        *("--n", "60", "--repeats", "5", "--stock-repeats", "2", "--engines", "none"),
    )
    assert "generated 60 lessons" in out
    for line in ("stock wagtail db", "weike db (jieba)", "typos/questions"):
        assert line in out, out


def test_transcode_benchmark_runs():
    out = _run(
        "bench/transcode.py", "--seconds", "4", "--inputs", "camera", "--skip-upload"
    )
    assert "per-rung/pipe" in out, out
    assert "one pass, no early 360p" in out, out
