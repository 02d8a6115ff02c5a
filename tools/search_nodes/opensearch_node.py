"""Download, cache and run a throw-away single OpenSearch node (tests, benchmarks).

The node is OpenSearch's *integ-test* distribution from Maven Central: a zip with
the server and only the `transport-netty4` module (no security plugin, no
`analysis-common`). The `cjk` analyzer and the `cjk_bigram` filter live in
`analysis-common`, which Maven Central also serves as a plain jar
(org.opensearch.plugin:analysis-common); we drop it in as a module with a
plugin descriptor written here, so the Chinese analysis chain needs no plugin
download beyond the registry. Everything is cached in ~/.cache/weike/ (outside
the repository) and fetched once; downloading and running are shared with
elasticsearch_node.py (engine_node.py).

Usage from Python: `node = start()`, then `node.url`, and `node.stop()`.

From the shell: scripts/opensearch.sh {fetch|run} (see that file).
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

from .engine_node import (
    CACHE_DIR,
    MAVEN,
    Engine,
    Node,
    cli,
    download,
    install_zip,
    launch,
)

# 2.19.x is the last line that runs on Java 17 (3.x needs Java 21).
VERSION = os.environ.get("WEIKE_OPENSEARCH_VERSION", "2.19.6")

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
classname={classname}
java.version=11
opensearch.version={v}
custom.foldername=
extended.plugins=
has.native.controller=false
"""

OPENSEARCH = Engine(
    name="OpenSearch",
    executable="opensearch",
    conf_env="OPENSEARCH_PATH_CONF",
    java_env="JAVA_HOME",
    tmp_env="OPENSEARCH_TMPDIR",
)


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

    def add_analysis_common(unpacked: Path) -> None:
        jar = download(
            ANALYSIS_COMMON_URL.format(maven=MAVEN, v=version),
            CACHE_DIR / f"analysis-common-{version}.jar",
        )
        module = unpacked / "modules" / "analysis-common"
        module.mkdir(parents=True, exist_ok=True)
        shutil.copy2(jar, module / jar.name)
        descriptor = ANALYSIS_COMMON_DESCRIPTOR.format(
            v=version, classname=_plugin_classname(jar)
        )
        (module / "plugin-descriptor.properties").write_text(descriptor)

    return install_zip(
        DIST_URL.format(maven=MAVEN, v=version),
        CACHE_DIR / f"opensearch-integ-test-{version}.zip",
        top=f"opensearch-{version}",
        home=CACHE_DIR / f"opensearch-{version}",
        prepare=add_analysis_common,
    )


def start(port: int | None = None, heap: str = "512m", timeout: float = 120.0) -> Node:
    """Start a single node on 127.0.0.1; waits until the cluster is yellow/green."""
    return launch(OPENSEARCH, install(), port=port, heap=heap, timeout=timeout)


def main(argv: list[str] | None = None) -> int:
    return cli(argv, engine=OPENSEARCH, version=VERSION, install=install, start=start)


if __name__ == "__main__":
    raise SystemExit(main())
