#!/usr/bin/env bash
# Builds the teachers' site front end (hls.js, tus-js-client, our JS/CSS) into
# frontend/dist/, which settings add to STATICFILES_DIRS. Nothing comes from a
# CDN: npm installs the pinned packages (package-lock.json) and esbuild bundles.
set -euo pipefail
cd "$(dirname "$0")/../frontend"
if ! command -v npm >/dev/null; then
  echo "npm not found: install nodejs/npm (scripts/install-system-deps.sh)" >&2
  exit 1
fi
# The npm cache stays in ~/.npm, outside the repository.
stamp=node_modules/.weike-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
node build.mjs
