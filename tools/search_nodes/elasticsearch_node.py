"""Download, cache and run a throw-away single Elasticsearch 8 node (tests).

The node is Elasticsearch's *integ-test* distribution from Maven Central
(org.elasticsearch.distribution.integ-test-zip:elasticsearch): the server with
only the apm, transport-netty4, x-pack-core and x-pack-security modules, no
bundled JDK (the machine's Java 17+ is used through ES_JAVA_HOME) and no
`analysis-common` module, so only Lucene's core analysis is available (see
search/backends/elasticsearch8.py). Security is switched off: the node listens
on 127.0.0.1 only and lives as long as the tests. Cached in ~/.cache/weike/
and fetched once; downloading and running are shared with
opensearch_node.py (engine_node.py).

From the shell: scripts/elasticsearch.sh {fetch|run} (see that file).
"""

from __future__ import annotations

import os
from pathlib import Path

from .engine_node import CACHE_DIR, MAVEN, Engine, Node, cli, install_zip, launch

# 8.19 is the last 8.x line; it runs on Java 17.
VERSION = os.environ.get("WEIKE_ELASTICSEARCH_VERSION", "8.19.21")

DIST_URL = (
    "{maven}/org/elasticsearch/distribution/integ-test-zip/elasticsearch/"
    "{v}/elasticsearch-{v}.zip"
)

ELASTICSEARCH = Engine(
    name="Elasticsearch",
    executable="elasticsearch",
    conf_env="ES_PATH_CONF",
    java_env="ES_JAVA_HOME",
    tmp_env="ES_TMPDIR",
    # A throw-away local node: no TLS, no users (x-pack-security would
    # otherwise generate certificates and a password on first start).
    settings=("xpack.security.enabled=false",),
)


def install(version: str = VERSION) -> Path:
    """Fetch (once) and unpack the distribution; returns its home directory."""
    return install_zip(
        DIST_URL.format(maven=MAVEN, v=version),
        CACHE_DIR / f"elasticsearch-integ-test-{version}.zip",
        top=f"elasticsearch-{version}",
        home=CACHE_DIR / f"elasticsearch-{version}",
    )


def start(port: int | None = None, heap: str = "512m", timeout: float = 120.0) -> Node:
    """Start a single node on 127.0.0.1; waits until the cluster is yellow/green."""
    return launch(ELASTICSEARCH, install(), port=port, heap=heap, timeout=timeout)


def main(argv: list[str] | None = None) -> int:
    return cli(
        argv, engine=ELASTICSEARCH, version=VERSION, install=install, start=start
    )


if __name__ == "__main__":
    raise SystemExit(main())
