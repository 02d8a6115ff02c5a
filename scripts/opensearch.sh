#!/usr/bin/env bash
# Download (once, into ~/.cache/weike/) and run a single-node OpenSearch 2.19 for
# development, tests and bench/search.py. No security plugin; 127.0.0.1 only.
#   scripts/opensearch.sh fetch            # download + unpack, print the install dir
#   scripts/opensearch.sh run [--port N]   # start in the foreground (Ctrl-C stops)
# Then: WEIKE_SEARCH_URL=opensearch://127.0.0.1:9200 make run
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
exec "$PY" -m tools.search_nodes.opensearch_node "${@:-run}"
