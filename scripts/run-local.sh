#!/usr/bin/env bash
# Embedded defaults: the web server and one local task worker, stopped together.
set -euo pipefail
host=$1; port=$2
py=.venv/bin/python
# Development settings unless the caller chose others (README, "Settings").
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-weike.settings.development}
$py manage.py db_worker --queue-name '*' --interval 0.5 --no-reload &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
$py manage.py runserver "$host:$port" --noreload
