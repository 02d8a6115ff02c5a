"""Download, cache and run a throw-away single OpenSearch node (tests, benchmarks).

The node is OpenSearch's *integ-test* distribution from Maven Central: a zip with
the server and only the `transport-netty4` module (no security plugin, no
`analysis-common`). The `cjk` analyzer and the `cjk_bigram` filter live in
`analysis-common`, which Maven Central also serves as a plain jar
(org.opensearch.plugin:analysis-common); we drop it in as a module with a
plugin descriptor written here, so the Chinese analysis chain needs no plugin
download beyond the registry. Everything is cached in ~/.cache/weike/ (outside
the repository) and fetched once.

Usage from Python::

    with running_node() as url:  # "http://127.0.0.1:PORT"
        ...

From the shell: scripts/opensearch.sh {fetch|start|run} (see that file).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

# 2.19.x is the last line that runs on Java 17 (3.x needs Java 21).
VERSION = os.environ.get("WEIKE_OPENSEARCH_VERSION", "2.19.6")
MAVEN = os.environ.get("WEIKE_MAVEN_URL", "https://repo1.maven.org/maven2")
CACHE_DIR = Path(
    os.environ.get("WEIKE_CACHE_DIR", Path.home() / ".cache" / "weike")
).expanduser()

DIST_URL = (
    "{maven}/org/opensearch/distribution/integ-test-zip/opensearch/"
    "{v}/opensearch-{v}.zip"
)
ANALYSIS_COMMON_URL = (
    "{maven}/org/opensearch/plugin/analysis-common/{v}/analysis-common-{v}.jar"
)

ANALYSIS_COMMON_DESCRIPTOR = """\
description=Adds "built in" analyzers to OpenSearch (cjk, ngram, shingle, ...).
version={v}
name=analysis-common
classname=org.opensearch.analysis.common.CommonAnalysisModulePlugin
java.version=11
opensearch.version={v}
custom.foldername=
extended.plugins=
has.native.controller=false
"""


def _download(url: str, dest: Path) -> Path:
    if dest.exists() and dest.stat().st_size > 0:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".part")
    with urllib.request.urlopen(url, timeout=300) as resp, tmp.open("wb") as out:
        shutil.copyfileobj(resp, out)
    tmp.replace(dest)
    return dest


def _plugin_classname(jar: Path) -> str:
    """The plugin's main class; older/newer jars name it differently."""
    with zipfile.ZipFile(jar) as zf:
        names = set(zf.namelist())
    for cls in ("CommonAnalysisModulePlugin", "CommonAnalysisPlugin"):
        if f"org/opensearch/analysis/common/{cls}.class" in names:
            return f"org.opensearch.analysis.common.{cls}"
    raise RuntimeError(f"no analysis-common plugin class in {jar}")


def install(version: str = VERSION) -> Path:
    """Fetch (once) and unpack the distribution; returns its home directory."""
    home = CACHE_DIR / f"opensearch-{version}"
    marker = home / ".weike-ready"
    if marker.exists():
        return home
    zip_path = _download(
        DIST_URL.format(maven=MAVEN, v=version),
        CACHE_DIR / f"opensearch-integ-test-{version}.zip",
    )
    jar = _download(
        ANALYSIS_COMMON_URL.format(maven=MAVEN, v=version),
        CACHE_DIR / f"analysis-common-{version}.jar",
    )
    staging = Path(tempfile.mkdtemp(dir=CACHE_DIR, prefix="unpack-"))
    try:
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(staging)
        unpacked = staging / f"opensearch-{version}"
        for script in (unpacked / "bin").iterdir():
            script.chmod(0o755)
        module = unpacked / "modules" / "analysis-common"
        module.mkdir(parents=True, exist_ok=True)
        shutil.copy2(jar, module / jar.name)
        descriptor = ANALYSIS_COMMON_DESCRIPTOR.format(v=version).replace(
            "org.opensearch.analysis.common.CommonAnalysisModulePlugin",
            _plugin_classname(jar),
        )
        (module / "plugin-descriptor.properties").write_text(descriptor)
        if home.exists():
            shutil.rmtree(home)
        unpacked.rename(home)
        marker.write_text(version)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return home


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
            # The launcher script execs java in our process group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        shutil.rmtree(self.workdir, ignore_errors=True)


def start(port: int | None = None, heap: str = "512m", timeout: float = 120.0) -> Node:
    """Start a single node on 127.0.0.1; waits until the cluster is yellow/green."""
    home = install()
    port = port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix="weike-opensearch-"))
    (workdir / "data").mkdir()
    (workdir / "logs").mkdir()
    # Each node gets its own config copy (the launcher writes a keystore there).
    shutil.copytree(home / "config", workdir / "config")
    _write_jvm_options(workdir, heap)
    run_as = {}
    if os.geteuid() == 0:
        # OpenSearch refuses to run as root (CI and these machines are root):
        # run it as `nobody` from a world-readable copy of the install.
        home = _readable_copy(home)
        run_as = {"user": "nobody", "group": "nogroup"}
        for path in [workdir, *workdir.rglob("*")]:
            os.chown(path, 65534, 65534)
    env = dict(os.environ)
    env["OPENSEARCH_PATH_CONF"] = str(workdir / "config")
    env.pop("JAVA_TOOL_OPTIONS", None)
    env.setdefault("JAVA_HOME", _java_home())
    args = [
        str(home / "bin" / "opensearch"),
        "-E", "discovery.type=single-node",
        "-E", "network.host=127.0.0.1",
        "-E", f"http.port={port}",
        "-E", "transport.port=0",
        "-E", f"path.data={workdir / 'data'}",
        "-E", f"path.logs={workdir / 'logs'}",
        "-E", "cluster.name=weike-test",
        "-E", "cluster.routing.allocation.disk.threshold_enabled=false",
        "-E", "action.auto_create_index=true",
    ]  # fmt: skip
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
            raise RuntimeError(f"OpenSearch exited ({proc.returncode}):\n{tail}")
        if _health(node.url) in ("green", "yellow"):
            return node
        time.sleep(0.5)
    tail = node.log_tail()
    node.stop()
    raise RuntimeError(f"OpenSearch did not start within {timeout}s:\n{tail}")


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
    marker = target / ".weike-ready"
    if not marker.exists():
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(home, target, symlinks=True)
        for path in [target, *target.rglob("*")]:
            mode = path.stat().st_mode
            path.chmod(mode | 0o044 | (0o011 if path.is_dir() or mode & 0o100 else 0))
        marker.write_text(home.name)
    return target


def _java_home() -> str:
    java = shutil.which("java")
    if not java:
        raise RuntimeError("java not found (OpenSearch 2.19 needs Java 11-21)")
    return str(Path(os.path.realpath(java)).parent.parent)


@contextlib.contextmanager
def running_node(**kwargs):
    node = start(**kwargs)
    try:
        yield node.url
    finally:
        node.stop()


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["fetch", "run"])
    parser.add_argument("--port", type=int, default=9200)
    parser.add_argument("--heap", default="512m")
    opts = parser.parse_args(argv)
    if opts.command == "fetch":
        print(install())
        return 0
    node = start(port=opts.port, heap=opts.heap)
    print(f"OpenSearch {VERSION} at {node.url} (Ctrl-C stops it)", flush=True)
    try:
        node.proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        node.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
