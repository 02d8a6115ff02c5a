#!/usr/bin/env bash
# Download (once, into ~/.cache/weike/) and run a single-node Elasticsearch 8.19
# (integ-test zip from Maven Central; WEIKE_ELASTICSEARCH_VERSION picks another
# 8.19.x) for development and tests. Security off; 127.0.0.1 only.
#   scripts/elasticsearch.sh fetch            # download + unpack, print the install dir
#   scripts/elasticsearch.sh run [--port N]   # start in the foreground (Ctrl-C stops)
# Then: WEIKE_SEARCH_URL=elasticsearch://127.0.0.1:9200 make run
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
exec "$PY" -m tools.search_nodes.elasticsearch_node "${@:-run}"
