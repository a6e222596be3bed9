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
# .env turns live mode on in every worker the tests start: each takes a free port, not 3001.
export VISAGE_LIVE_PORT=0

rm -rf test-results
status=0
# Two packages at a time: each test run starts servers, ffmpeg and ONNX sessions that use every core,
# and at turbo's default of 10 a 2-core machine ran ~8 such processes at once (tests that take 3 s
# alone timed out at 30 s). Two at a time is also faster overall there (12 vs 15.5 minutes).
concurrency="${VISAGE_TEST_CONCURRENCY:-2}"
pnpm exec turbo run lint lint:root deps:check typecheck test --log-order=grouped --continue \
  --concurrency="$concurrency" "$@" || status=$?
node scripts/test-summary.mjs test-results || status=1
exit "$status"
