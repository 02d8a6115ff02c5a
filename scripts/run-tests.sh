#!/usr/bin/env bash
# The suite on SQLite (services it needs are started by the test fixtures),
# then the tests that reach the database once more against a real PostgreSQL
# server started here.
set -euo pipefail
# As in the Makefile: cache bytecode even where the environment says not to.
unset PYTHONDONTWRITEBYTECODE
py=.venv/bin/python
status=0
# Both passes run on every core (pytest-xdist), with one worker more than there
# are cores: a third of a worker's time is spent waiting for ffmpeg, a browser,
# a search node or a subprocess. A file's tests stay on one worker so the
# services a module starts are started once per worker.
# The slowest tests are listed at the end of each pass: where the time goes.
# Files are handed out in the order tests/conftest.py gives them (the slowest
# first), not by their number of tests.
workers=(-n "${WEIKE_TEST_WORKERS:-$(($(nproc) + 1))}" --dist loadfile
    --no-loadscope-reorder --durations=15)
free_port() {
    $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
rundir=$(mktemp -d /tmp/weike-test-run.XXXXXX)
chmod 755 "$rundir"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ -d "$rundir/pg" ]; then scripts/postgres.sh stop "$rundir/pg"; fi
    rm -rf "$rundir"
}
trap cleanup EXIT

# One OpenSearch and one Elasticsearch node serve both passes and every worker
# (each test uses its own index prefix): four JVM starts per pass otherwise.
start_node() {  # engine, variable to export
    local port log
    port=$(free_port)
    log="$rundir/$1.log"
    $py -m "tools.search_nodes.$1_node" run --port "$port" >"$log" 2>&1 &
    pids+=($!)
    export "$2=http://127.0.0.1:$port"
}
wait_node() {  # engine
    local log="$rundir/$1.log"
    for _ in $(seq 600); do
        if grep -q " at http" "$log"; then return 0; fi
        sleep 0.5
    done
    echo "$1 did not start:" >&2
    tail -40 "$log" >&2
    return 1
}
start_node opensearch WEIKE_TEST_OPENSEARCH_URL
start_node elasticsearch WEIKE_TEST_ELASTICSEARCH_URL
wait_node opensearch
wait_node elasticsearch

echo "== pytest on SQLite =="
# The tests of production services (S3, Redis, Celery, nginx, gunicorn) and
# those marked postgresql_pass run in the second pass only (tests/conftest.py).
$py -m pytest "${workers[@]}" --embedded-pass "$@" || status=$?

echo "== pytest on PostgreSQL =="
mkdir "$rundir/pg"
url=$(scripts/postgres.sh start "$rundir/pg" "$(free_port)")
# Tests that never reach the database would only repeat themselves; the ones
# the first pass left out run here.
DATABASE_URL="$url" $py -m pytest "${workers[@]}" -m "not browser" \
    --database-tests-only "$@" || status=$?
exit $status
