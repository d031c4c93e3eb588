#!/usr/bin/env bash
# Installs what a fresh machine lacks: the npm packages (npm ci), and with --test what the tests
# need besides: Debian's Chromium at /usr/bin/chromium (e2e; never a downloaded browser) and
# Debian's prometheus package for promtool (the metrics test checks its exposition with it).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

[ "${1:-}" = "--test" ] || exit 0

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/promtool ] || missing+=(prometheus)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "isotrace: the tests need ${missing[*]} (Chromium at /usr/bin/chromium, promtool at /usr/bin/promtool)." >&2
  echo "  On Debian or Ubuntu: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
