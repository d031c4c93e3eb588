#!/usr/bin/env bash
# `npm run bench`: every benchmark on the machine's Node (20; Node 24 where a row says so), then
# bench/RESULTS.md. Arguments go to bench/run-all.mjs (e.g. --only memory,pipeline-cost).
set -euo pipefail
cd "$(dirname "$0")/.."

# Or every "Node 20" figure would be measured on Node 24.
source scripts/machine-node.sh

node bench/run-all.mjs "$@"

