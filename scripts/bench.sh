#!/usr/bin/env bash
# `npm run bench`: every benchmark on the machine's Node (20; Node 24 where a row says so), then
# the README's table. Arguments go to bench/run-all.mjs (e.g. --only memory,pipeline-cost).
set -euo pipefail
cd "$(dirname "$0")/.."

# npm puts node_modules/.bin first on PATH, where the `node` dev dependency links Node 24: drop
# it, as scripts/test.sh does, or every "Node 20" figure would be measured on Node 24.
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v 'node_modules/\.bin' | paste -sd: -)
export PATH

node bench/run-all.mjs "$@"
if [ $# -eq 0 ]; then node scripts/readme-bench.mjs; fi
