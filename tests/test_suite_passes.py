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


# The three collections in one process: Django and the test modules are
# loaded once instead of three times (each load is seconds of CPU).
COLLECT = """
import sys
import pytest
for options in ([], ["--embedded-pass"], ["--database-tests-only"]):
    quiet = ["--collect-only", "-q", "-p", "no:cacheprovider"]
    pytest.main([*quiet, *options, *sys.argv[1:]])
    print("=== end of collection ===", flush=True)
"""


def collect_all() -> list[set[str]]:
    """The test ids of the whole suite, the first pass and the second pass."""
    done = subprocess.run(
        [sys.executable, "-c", COLLECT, *FILES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    runs = done.stdout.split("=== end of collection ===")[:3]
    return [{line for line in run.splitlines() if "::" in line} for run in runs]


def files(ids: set[str]) -> set[str]:
    return {i.split("::")[0] for i in ids}


def test_each_test_runs_in_the_pass_it_belongs_to():
    everything, first, second = collect_all()
    assert everything and first and second

    assert first | second == everything
    assert "tests/test_media_worker.py" in files(second) - files(first)
    assert "tests/test_media_corpus.py" in files(second) - files(first)
    assert "tests/test_site_lesson.py" in files(first) & files(second)
    assert "tests/test_demo_media.py" in files(first) - files(second)
    probe = "tests/test_settings.py::test_embedded_defaults"
    assert probe in first and probe not in second


def test_slow_files_are_handed_out_first():
    from types import SimpleNamespace

    from tests.conftest import SLOW_FILES, slow_files_first

    assert all((ROOT / path).is_file() for path in SLOW_FILES)
    ids = [
        "tests/test_a.py::one",
        "tests/test_b.py::one",
        "tests/test_b.py::two",
        f"{SLOW_FILES[1]}::x",
        f"{SLOW_FILES[0]}::y",
        "tests/test_a.py::two",
        "tests/test_a.py::three",
    ]
    items = [SimpleNamespace(nodeid=i) for i in ids]
    assert [i.nodeid for i in slow_files_first(items)] == [
        f"{SLOW_FILES[0]}::y",
        f"{SLOW_FILES[1]}::x",
        "tests/test_a.py::one",
        "tests/test_a.py::two",
        "tests/test_a.py::three",
        "tests/test_b.py::one",
        "tests/test_b.py::two",
    ]
