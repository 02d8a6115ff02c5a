#!/usr/bin/env bash
# Copies Apache ECharts (pinned) from npm into dashboard/static/dashboard/vendor/
# for the bureau dashboard's charts. Nothing comes from a CDN; the npm package is
# installed once into ~/.cache/weike/echarts-<version> (outside the repository,
# reused by later runs), and the vendor copy is not committed (see its .gitignore).
set -euo pipefail
ECHARTS_VERSION="${WEIKE_ECHARTS_VERSION:-6.1.0}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${WEIKE_CACHE_DIR:-$HOME/.cache/weike}/echarts-$ECHARTS_VERSION"
dest="$root/dashboard/static/dashboard/vendor"
if [ -f "$dest/echarts.min.js" ] && grep -q "$ECHARTS_VERSION" "$dest/VERSION" 2>/dev/null; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "npm not found: install nodejs/npm (scripts/install-system-deps.sh)" >&2
  exit 1
fi
if [ ! -f "$cache/node_modules/echarts/dist/echarts.min.js" ]; then
  mkdir -p "$cache"
  (cd "$cache" && npm install --no-audit --no-fund --loglevel=error \
     --no-save --prefix "$cache" "echarts@$ECHARTS_VERSION")
fi
mkdir -p "$dest"
cp "$cache/node_modules/echarts/dist/echarts.min.js" "$dest/echarts.min.js"
cp "$cache/node_modules/echarts/LICENSE" "$dest/ECHARTS-LICENSE"
echo "$ECHARTS_VERSION" > "$dest/VERSION"
echo "echarts $ECHARTS_VERSION -> $dest"
