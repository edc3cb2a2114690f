#!/usr/bin/env bash
# The whole check, from a fresh clone on a fresh Debian 12 machine (this is what CI runs via .ci/run):
# system packages the tests need (only when missing), npm dependencies (Node 24 comes with them), type check,
# then the suite: unit + integration on embedded PostgreSQL and on Debian's PostgreSQL 15, then the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
npm ci --no-audit --no-fund
echo "node for npm scripts: $(node_modules/.bin/node --version)"
npm run typecheck
npm test
