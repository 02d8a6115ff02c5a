#!/usr/bin/env bash
# The whole suite on SQLite (services it needs are started by the test fixtures),
# then once more against a real PostgreSQL server started here.
set -euo pipefail
py=.venv/bin/python
status=0
echo "== pytest on SQLite =="
$py -m pytest "$@" || status=$?

echo "== pytest on PostgreSQL =="
pgdir=$(mktemp -d /tmp/weike-pg.XXXXXX)
chmod 755 "$pgdir"
port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=$(scripts/postgres.sh start "$pgdir" "$port")
trap 'scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
DATABASE_URL="$url" $py -m pytest -m "not browser" "$@" || status=$?
exit $status
