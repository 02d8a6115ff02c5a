#!/usr/bin/env bash
# The whole suite on SQLite (services it needs are started by the test fixtures),
# then once more against a real PostgreSQL server started here.
set -euo pipefail
py=.venv/bin/python
status=0
# Both passes run on every core (pytest-xdist); a file's tests stay on one
# worker so the services a module starts are started once per worker.
workers=(-n "${WEIKE_TEST_WORKERS:-auto}" --dist loadfile)
echo "== pytest on SQLite =="
$py -m pytest "${workers[@]}" "$@" || status=$?

echo "== pytest on PostgreSQL =="
pgdir=$(mktemp -d /tmp/weike-pg.XXXXXX)
chmod 755 "$pgdir"
port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=$(scripts/postgres.sh start "$pgdir" "$port")
trap 'scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
DATABASE_URL="$url" $py -m pytest "${workers[@]}" -m "not browser" "$@" || status=$?
exit $status
