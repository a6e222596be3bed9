#!/usr/bin/env bash
# Prepares this checkout to run Visage. Idempotent: `npm start` and `npm test` run it every time,
# and it can be run alone (`npm run setup`).
#   1. detects the OS and accelerator (macOS: sw_vers/sysctl, never nvidia-smi; Linux: nvidia-smi if present)
#   2. checks Node, installs pnpm if missing
#   3. writes .env from .env.example when missing, generating secrets
#   4. installs dependencies and generates the Prisma client
#   5. makes sure PostgreSQL and Redis are reachable (starting or installing them where it can)
#   6. applies database migrations
#   7. on Linux with an NVIDIA GPU and network access, installs onnxruntime-node's CUDA provider
#   8. makes sure the system tools are there (ffmpeg + ffprobe; with --for-tests also Chromium,
#      Docker Compose, PyTorch + onnx for Python and redis-server), installing them with apt or Homebrew
#      where it can
# Flags: --platform   only print what step 1 finds.
#        --for-tests  also the tools `npm test` needs (scripts/test.sh passes it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$VISAGE_ROOT/scripts/lib/platform.sh"
source "$VISAGE_ROOT/scripts/lib/services.sh"
source "$VISAGE_ROOT/scripts/lib/tools.sh"
cd "$VISAGE_ROOT"

export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
# onnxruntime-node's install script downloads CUDA libraries; step 7 runs it only where it can work.
export ONNXRUNTIME_NODE_INSTALL=skip
PNPM_VERSION=12.21.0

TOOLS=(ffmpeg)
for arg in "$@"; do
  case "$arg" in
    --platform) ;;
    --for-tests) TOOLS+=(chromium compose python-torch redis-server) ;;
    *) die "Unknown option: $arg" "Usage: scripts/setup.sh [--platform | --for-tests]" ;;
  esac
done

detect_platform
if [ "${1:-}" = --platform ]; then
  printf 'os=%s\nos_name=%s\narch=%s\naccelerator=%s\naccelerator_detail=%s\n' \
    "$OS_KIND" "$OS_NAME" "$ARCH" "$ACCELERATOR" "$ACCEL_DETAIL"
  exit 0
fi

# ── Node and pnpm ───────────────────────────────────────────────────────────────────────────
node -e '
  const [major, minor] = process.versions.node.split(".").map(Number);
  process.exit(major > 20 || (major === 20 && minor >= 19) ? 0 : 1);
' || die "Node.js $(node -v) is too old: Visage needs Node 20.19 or newer." \
  "Install Node 20 LTS or later from https://nodejs.org (or your package manager) and run again."

if ! command -v pnpm >/dev/null 2>&1; then
  say "Installing pnpm $PNPM_VERSION (npm i -g)…"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1 || as_root npm install -g "pnpm@$PNPM_VERSION" >/dev/null ||
    die "Could not install pnpm." "Run: npm install -g pnpm@$PNPM_VERSION   (with sudo if npm's global folder needs it)"
fi

# ── .env ────────────────────────────────────────────────────────────────────────────────────
if [ ! -f .env ]; then
  secret="$(node -p 'require("crypto").randomBytes(32).toString("base64url")')"
  sed "s|^BETTER_AUTH_SECRET=.*|BETTER_AUTH_SECRET=$secret|" .env.example >.env
  ok "Wrote .env from .env.example (with a new BETTER_AUTH_SECRET)"
fi
load_env_file .env
export VISAGE_MODELS_DIR="${VISAGE_MODELS_DIR:-./.visage/models}"
mkdir -p "$VISAGE_MODELS_DIR"

# ── Dependencies ────────────────────────────────────────────────────────────────────────────
# node-gyp builds (better-sqlite3 and the like) need Node's headers, which cannot be downloaded
# offline; Debian's nodejs package ships them in /usr/include/node.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
say "Installing dependencies (pnpm install)…"
if [ -n "${CI:-}" ]; then pnpm install --frozen-lockfile --reporter=silent; else pnpm install --reporter=silent; fi
schema_hash="$(node -p 'require("crypto").createHash("sha256").update(require("fs").readFileSync("packages/db/prisma/schema.prisma")).digest("hex")')"
stamp=packages/db/src/generated/.schema-sha256
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$schema_hash" ]; then
  generate_log="$(pnpm --silent --filter @visage/db run generate 2>&1)" ||
    die "prisma generate failed:" "$generate_log"
  echo "$schema_hash" >"$stamp"
fi
ok "Dependencies installed, Prisma client generated"

# ── System tools ────────────────────────────────────────────────────────────────────────────
ensure_tools "${TOOLS[@]}"

# ── Services and migrations ─────────────────────────────────────────────────────────────────
ensure_postgres
ensure_redis
pnpm --silent --filter @visage/db run migrate

# ── CUDA execution provider ─────────────────────────────────────────────────────────────────
ort_dir="packages/inference/node_modules/onnxruntime-node"
cuda_lib="$ort_dir/bin/napi-v6/linux/$ARCH/libonnxruntime_providers_cuda.so"
ORT_CUDA=no
if [ "$ACCELERATOR" = cuda ]; then
  if [ -f "$cuda_lib" ]; then
    ORT_CUDA=yes
  elif node -e 'fetch("https://api.nuget.org/v3/index.json", { signal: AbortSignal.timeout(5000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))'; then
    say "Installing onnxruntime-node's CUDA 12 provider libraries…"
    if (cd "$ort_dir" && ONNXRUNTIME_NODE_INSTALL=cuda12 node script/install.js); then
      ORT_CUDA=yes
    else
      warn "The CUDA provider install failed (see above); Visage will run models on the CPU." \
        "Retry later with: npm run setup"
    fi
  else
    warn "No network access to download onnxruntime-node's CUDA provider; Visage will run models on the CPU until 'npm run setup' can reach it."
  fi
fi

# ── Summary ─────────────────────────────────────────────────────────────────────────────────
redact() { node -e 'const u = new URL(process.argv[1]); if (u.password) u.password = "***"; console.log(u.toString())' "$1"; }
cat <<SUMMARY

  ${_b}Visage set-up${_0}
  OS            $OS_NAME ($ARCH)
  Accelerator   $ACCELERATOR — $ACCEL_DETAIL$([ "$ACCELERATOR" = cuda ] && printf '\n  CUDA provider %s' "$ORT_CUDA")
  Database      $(redact "$DATABASE_URL")
  Redis         $(redact "$REDIS_URL") (key prefix "${REDIS_PREFIX:-visage}")
  Models        $VISAGE_MODELS_DIR

SUMMARY
