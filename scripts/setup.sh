#!/usr/bin/env bash
# Installs what a fresh machine lacks: the npm packages (npm ci), and with --browser Debian's
# Chromium at /usr/bin/chromium for the e2e tests. Never downloads a browser of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "isotrace: the browser tests need Chromium at /usr/bin/chromium." >&2
    echo "  On Debian or Ubuntu: sudo apt-get install chromium" >&2
    echo "  Elsewhere: install Chromium and link it to /usr/bin/chromium." >&2
    exit 1
  fi
fi
