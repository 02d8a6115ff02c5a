#!/usr/bin/env bash
# The .po files are the source of every translation. msgfmt compiles each one
# whose .mo is missing or older, as `manage.py compilemessages` does, without
# starting Django for it (several seconds of every fresh `make run`).
set -euo pipefail
cd "$(dirname "$0")/.."
find . \( -path ./.venv -o -path ./frontend/node_modules -o -path ./var \) -prune \
    -o -name '*.po' -print |
while read -r po; do
    mo="${po%.po}.mo"
    if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
        msgfmt --check-format -o "$mo" "$po"
    fi
done
