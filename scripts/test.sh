#!/usr/bin/env bash
# `npm test`: set up, then lint, check the import rules (.dependency-cruiser.cjs), type-check and run
# every package's tests through turbo (unit tests and integration tests against the real PostgreSQL
# and Redis, each run in its own throw-away database and Redis key prefix). Ends with one summary
# line for the whole suite.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$VISAGE_ROOT/scripts/lib/tools.sh"
setup_and_load_env --for-tests
# The browser tests launch the Chromium setup found (or installed).
CHROMIUM_PATH="$(find_chromium)"
export CHROMIUM_PATH

rm -rf test-results
status=0
pnpm exec turbo run lint lint:root deps:check typecheck test --log-order=grouped --continue "$@" || status=$?
node scripts/test-summary.mjs test-results || status=1
exit "$status"
