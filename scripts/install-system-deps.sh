#!/usr/bin/env bash
# Installs the Debian packages Weike needs, only when one is missing, so a
# second run costs nothing. Runs as root (CI and the dev machines are root).
set -euo pipefail
packages=(ffmpeg gettext redis-server postgresql nginx chromium fonts-wqy-microhei espeak-ng default-jre-headless nodejs npm)
if [ "${1:-}" = "--runtime" ]; then
  # nodejs/npm build the site's front end (scripts/build-frontend.sh);
  # fonts-wqy-microhei and espeak-ng draw and narrate the demo's clips.
  packages=(ffmpeg gettext fonts-wqy-microhei espeak-ng nodejs npm)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A JRE is already on the machine when `java` answers.
if command -v java >/dev/null 2>&1; then
  missing=("${missing[@]/default-jre-headless}")
fi
# Likewise Node: a nodesource nodejs already ships npm (Debian's npm would clash).
if command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}")
  missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
