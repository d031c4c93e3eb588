# Sourced by scripts/test.sh and scripts/bench.sh: `node` is the machine's own (Node 20).
# npm puts node_modules/.bin first on PATH, and the `node` dev dependency links Node 24 there;
# drop it, and name Node 24 explicitly (node_modules/node/bin/node) where it is wanted.
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v 'node_modules/\.bin' | paste -sd: -)
export PATH
