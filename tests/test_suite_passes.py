"""Which tests each pass of `make test` runs (tests/conftest.py): every test
runs at least once, and a test runs twice only if it reaches the database and
has something to learn from SQLite."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = [
    "tests/test_media_worker.py",  # Celery + Redis: production services
    "tests/test_media_corpus.py",  # marked postgresql_pass
    "tests/test_settings.py",  # mostly settings probes, no database
    "tests/test_site_lesson.py",  # site pages: both databases
    "tests/test_demo_media.py",  # marked sqlite_pass: make run's demo
]


def collected(*options: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", *options, *FILES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return {line for line in done.stdout.splitlines() if "::" in line}


def files(ids: set[str]) -> set[str]:
    return {i.split("::")[0] for i in ids}


def test_each_test_runs_in_the_pass_it_belongs_to():
    everything = collected()
    first = collected("--embedded-pass")
    second = collected("--database-tests-only")

    assert first | second == everything
    assert "tests/test_media_worker.py" in files(second) - files(first)
    assert "tests/test_media_corpus.py" in files(second) - files(first)
    assert "tests/test_site_lesson.py" in files(first) & files(second)
    assert "tests/test_demo_media.py" in files(first) - files(second)
    probe = "tests/test_settings.py::test_embedded_defaults"
    assert probe in first and probe not in second
