#!/usr/bin/env bash
# Every test: build, unit tests on the machine's Node (20) and the context-layer and client tests
# again on Node 24 (npm's `node` package: its AsyncLocalStorage is built differently), the package
# checks, the README's TypeScript examples against the packed package, then the e2e tests in
# Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/machine-node.sh
node24=node_modules/node/bin/node

rm -rf dist  # stale chunks of earlier builds would otherwise ship
node node_modules/rollup/dist/bin/rollup -c --silent
echo "--- format and lint (Biome)"
node node_modules/@biomejs/biome/bin/biome ci . --colors=off
echo "--- type check (src, tests, e2e)"
node node_modules/typescript/bin/tsc --noEmit -p tsconfig.test.json
node node_modules/typescript/bin/tsc --noEmit -p e2e
echo "--- unit tests on Node $(node --version)"
node node_modules/vitest/vitest.mjs run
echo "--- context layer and clients on Node $($node24 --version)"
$node24 node_modules/vitest/vitest.mjs run test/context test/client test/package
echo "--- package checks"
# dist/ was just built: npm pack skips the prepack build (npm_config_ignore_scripts).
node node_modules/publint/src/cli.js --strict
npm_config_ignore_scripts=true node node_modules/@arethetypeswrong/cli/dist/index.js --pack . --profile esm-only --exclude-entrypoints isotrace.iife.min.js isotrace.zone.iife.min.js >/dev/null
echo "--- README examples: type-checked against the packed package (nodenext, node16, bundler; TypeScript 5.9 and $(node -p "require('typescript/package.json').version"))"
npm_config_ignore_scripts=true node scripts/check-readme-types.mjs
echo "--- bundle sizes"
node bench/size-check.mjs
echo "--- e2e in $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium (version unknown)')"
node node_modules/@playwright/test/cli.js test -c e2e/playwright.config.ts
