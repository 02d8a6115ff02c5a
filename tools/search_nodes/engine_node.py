"""Shared parts of the throw-away search nodes (tests, benchmarks, development).

OpenSearch (opensearch_node.py) and Elasticsearch
(elasticsearch_node.py) are both run from their *integ-test* zip on
Maven Central: downloaded once (checked against Maven's .sha1) into
~/.cache/weike/ (outside the repository), unpacked there, and started as a
single node on 127.0.0.1 with its own data, log, tmp and config directories,
as `nobody` when we are root (both engines refuse to run as root). What
differs between the engines is described by an `Engine`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MAVEN = os.environ.get("WEIKE_MAVEN_URL", "https://repo1.maven.org/maven2")
CACHE_DIR = Path(
    os.environ.get("WEIKE_CACHE_DIR", Path.home() / ".cache" / "weike")
).expanduser()
MARKER = ".weike-ready"  # written last: the directory is complete


@dataclass(frozen=True)
class Engine:
    """How one engine's distribution is laid out and started."""

    name: str  # for messages: "OpenSearch"
    executable: str  # launcher in bin/
    conf_env: str  # variable naming the config directory
    java_env: str  # variable naming the Java home the launcher uses
    tmp_env: str  # variable naming the node's temporary directory
    settings: tuple[str, ...] = ()  # extra -E settings


def download(url: str, dest: Path) -> Path:
    """Fetch `url` to `dest` once; verified against Maven's `.sha1` file."""
    if dest.exists() and dest.stat().st_size > 0:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f"{dest.name}.{os.getpid()}.part")
    digest = hashlib.sha1(usedforsecurity=False)  # what Maven publishes
    with urllib.request.urlopen(url, timeout=300) as resp, tmp.open("wb") as out:
        while chunk := resp.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    expected = _published_sha1(url)
    if expected and expected != digest.hexdigest():
        tmp.unlink()
        raise RuntimeError(f"{url}: sha1 {digest.hexdigest()}, Maven says {expected}")
    tmp.replace(dest)
    return dest


def _published_sha1(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url + ".sha1", timeout=60) as resp:
            return resp.read().decode().split()[0].lower()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:  # a mirror without checksums
            return None
        raise


def install_zip(
    url: str,
    zip_path: Path,
    top: str,
    home: Path,
    prepare: Callable[[Path], None] | None = None,
) -> Path:
    """Download (once) and unpack a distribution zip whose top directory is
    `top` into `home`; `prepare(unpacked)` may add files before it is moved
    into place. Returns `home`."""
    if (home / MARKER).exists():
        return home
    download(url, zip_path)
    staging = Path(tempfile.mkdtemp(dir=home.parent, prefix="unpack-"))
    try:
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(staging)
        unpacked = staging / top
        for script in (unpacked / "bin").iterdir():
            script.chmod(0o755)
        if prepare:
            prepare(unpacked)
        (unpacked / MARKER).write_text(top)
        _move_into_place(unpacked, home)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return home


def _move_into_place(ready: Path, target: Path) -> None:
    """Rename a finished directory (marker inside) to `target`, unless another
    process (a second test session) got there first."""
    if (target / MARKER).exists():
        return
    shutil.rmtree(target, ignore_errors=True)  # an unfinished earlier attempt
    try:
        ready.rename(target)
    except OSError:
        if not (target / MARKER).exists():
            raise


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(url: str) -> str | None:
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=2) as resp:
            return json.load(resp).get("status")
    except (OSError, ValueError, urllib.error.URLError):
        return None


class Node:
    """One running node; `stop()` kills it and removes its data directory."""

    def __init__(self, home: Path, port: int, workdir: Path, proc: subprocess.Popen):
        self.home, self.port, self.workdir, self.proc = home, port, workdir, proc
        self.url = f"http://127.0.0.1:{port}"

    def log_tail(self, lines: int = 40) -> str:
        logs = sorted((self.workdir / "logs").glob("*.log"))
        text = "\n".join(p.read_text(errors="replace") for p in logs)
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            # The launcher and the server JVM it starts share our process group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        shutil.rmtree(self.workdir, ignore_errors=True)


def launch(
    engine: Engine,
    home: Path,
    port: int | None = None,
    heap: str = "512m",
    timeout: float = 120.0,
) -> Node:
    """Start a single node on 127.0.0.1; waits until the cluster is yellow/green."""
    port = port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix=f"weike-{engine.executable}-"))
    for sub in ("data", "logs", "tmp"):
        (workdir / sub).mkdir()
    # Each node gets its own config copy (the launcher writes a keystore there).
    shutil.copytree(home / "config", workdir / "config")
    _write_jvm_options(workdir, heap)
    run_as = {}
    if os.geteuid() == 0:
        # The engines refuse to run as root (CI and these machines are root):
        # run as `nobody` from a world-readable copy of the install.
        home = _readable_copy(home)
        run_as = {"user": "nobody", "group": "nogroup"}
        for path in [workdir, *workdir.rglob("*")]:
            os.chown(path, 65534, 65534)
    env = dict(os.environ)
    env[engine.conf_env] = str(workdir / "config")
    env[engine.tmp_env] = str(workdir / "tmp")
    env[engine.java_env] = (
        env.get(engine.java_env) or env.get("JAVA_HOME") or _java_home()
    )
    env.pop("JAVA_TOOL_OPTIONS", None)
    settings = [
        "discovery.type=single-node",
        "network.host=127.0.0.1",
        f"http.port={port}",
        "transport.port=0",
        f"path.data={workdir / 'data'}",
        f"path.logs={workdir / 'logs'}",
        "cluster.name=weike-test",
        "cluster.routing.allocation.disk.threshold_enabled=false",
        "action.auto_create_index=true",
        *engine.settings,
    ]
    args = [str(home / "bin" / engine.executable)]
    for setting in settings:
        args += ["-E", setting]
    proc = subprocess.Popen(
        args,
        env=env,
        cwd=workdir,
        stdout=(workdir / "logs" / "stdout.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        **run_as,
    )
    node = Node(home, port, workdir, proc)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = node.log_tail()
            node.stop()
            raise RuntimeError(f"{engine.name} exited ({proc.returncode}):\n{tail}")
        if _health(node.url) in ("green", "yellow"):
            return node
        time.sleep(0.5)
    tail = node.log_tail()
    node.stop()
    raise RuntimeError(f"{engine.name} did not start within {timeout}s:\n{tail}")


def _write_jvm_options(workdir: Path, heap: str) -> None:
    """Small heap; GC log and heap dumps in the node's own directory.

    The stock options write `logs/gc.log` relative to the install, which is
    read-only for the node's user.
    """
    path = workdir / "config" / "jvm.options"
    lines = []
    for line in path.read_text().splitlines():
        if line.startswith(("-Xms", "-Xmx")) or "Xlog:gc" in line:
            continue
        line = line.replace("HeapDumpPath=data", f"HeapDumpPath={workdir / 'data'}")
        line = line.replace("logs/hs_err", f"{workdir / 'logs'}/hs_err")
        lines.append(line)
    lines += [f"-Xms{heap}", f"-Xmx{heap}"]
    path.write_text("\n".join(lines) + "\n")


def _readable_copy(home: Path) -> Path:
    """A copy of the install under /tmp that a non-root user can read."""
    target = Path(tempfile.gettempdir()) / f"weike-{home.name}"
    if (target / MARKER).exists():
        return target
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f"{target.name}-part-"))
    try:
        copy = staging / home.name
        shutil.copytree(home, copy, symlinks=True)
        for path in [copy, *copy.rglob("*")]:
            mode = path.stat().st_mode
            path.chmod(mode | 0o044 | (0o011 if path.is_dir() or mode & 0o100 else 0))
        _move_into_place(copy, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _java_home() -> str:
    java = shutil.which("java")
    if not java:
        raise RuntimeError(
            "java not found (OpenSearch 2.19 and Elasticsearch 8.19 run on Java 17-21)"
        )
    return str(Path(os.path.realpath(java)).parent.parent)


def cli(argv, *, engine: Engine, version: str, install, start) -> int:
    """`fetch` (download and unpack, print the install) or `run` a node in the
    foreground until Ctrl-C."""
    import argparse

    parser = argparse.ArgumentParser(
        description=f"Download, cache and run a single {engine.name} {version} node."
    )
    parser.add_argument("command", choices=["fetch", "run"])
    parser.add_argument("--port", type=int, default=9200)
    parser.add_argument("--heap", default="512m")
    opts = parser.parse_args(argv)
    if opts.command == "fetch":
        print(install())
        return 0
    node = start(port=opts.port, heap=opts.heap)
    print(f"{engine.name} {version} at {node.url} (Ctrl-C stops it)", flush=True)
    # `kill` stops the node too (its JVM runs in a session of its own).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        node.proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        node.stop()
    return 0
