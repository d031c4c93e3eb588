#!/usr/bin/env bash
# Every test: build, unit tests on Node 20 (the machine's) and the context-layer tests again on
# Node 24 (npm's `node` package: its AsyncLocalStorage is built differently), then the e2e tests
# in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run build
npx vitest run
echo "--- context layer on Node $(node_modules/node/bin/node --version)"
node_modules/node/bin/node node_modules/vitest/vitest.mjs run test/context test/client test/package
npm run --silent check:package
npx playwright test -c e2e/playwright.config.ts
