#!/usr/bin/env bash
# The whole check, from a fresh clone on a fresh Debian 12 machine (this is what CI runs via .ci/run):
# system packages the tests need (only when missing), npm dependencies (Node 24 comes with them), then the type
# check and the suite: unit + integration on embedded PostgreSQL and on Debian's PostgreSQL 15, then the browser
# tests. The suite runs even when the type check fails, so one run reports both; either failing fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
npm ci --no-audit --no-fund
echo "node for npm scripts: $(node_modules/.bin/node --version)"

status=0
npm run typecheck || { status=1; echo "scripts/test.sh: type check failed" >&2; }
npm test || status=1
exit "$status"
