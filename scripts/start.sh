#!/usr/bin/env bash
# `npm start`: set up, build the web app (cached by turbo), then run web and worker together with
# prefixed logs. Ctrl-C stops both; the worker shuts down gracefully.
# `npm run dev`: the same with hot reload (next dev, tsx watch).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
setup_and_load_env
export PORT="${PORT:-3000}"

if [ "${1:-}" = --dev ]; then
  web="cd apps/web && exec node --import tsx server.ts --dev --port $PORT"
  worker="cd apps/worker && exec node --watch --import tsx src/main.ts"
else
  say "Building the web app…"
  pnpm exec turbo run build --filter=@visage/web --output-logs=errors-only
  web="cd apps/web && exec node --import tsx server.ts --port $PORT"
  worker="cd apps/worker && exec node --import tsx src/main.ts"
fi

say "Starting Visage on http://localhost:$PORT (Ctrl-C stops it)"
exec node_modules/.bin/concurrently --names web,worker --prefix-colors cyan,magenta --kill-others \
  --kill-signal SIGTERM "$web" "$worker"
