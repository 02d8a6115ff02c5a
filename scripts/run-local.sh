#!/usr/bin/env bash
# Embedded defaults: the web server, one local task worker and the scheduler of
# periodic jobs, stopped together.
set -euo pipefail
host=$1; port=$2
py=.venv/bin/python
# Development settings unless the caller chose others (README, "Settings").
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-weike.settings.development}
$py manage.py db_worker --queue-name '*' --interval 0.5 --no-reload &
worker=$!
# The periodic jobs (docs/deploy.md), queued for that worker: no cron needed.
$py manage.py run_scheduler &
scheduler=$!
trap 'kill $worker $scheduler 2>/dev/null || true' EXIT INT TERM
$py manage.py runserver "$host:$port" --noreload
