# Shared by scripts/*.sh: paths, messages and .env loading. Source it; do not run it.
VISAGE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export VISAGE_ROOT

if [ -t 1 ]; then _b=$'\033[1m' _r=$'\033[31m' _y=$'\033[33m' _g=$'\033[32m' _0=$'\033[0m'; else _b='' _r='' _y='' _g='' _0=''; fi
say() { printf '%s[visage]%s %s\n' "$_b" "$_0" "$*"; }
ok() { printf '%s[visage]%s %s✓%s %s\n' "$_b" "$_0" "$_g" "$_0" "$*"; }
warn() { printf '%s[visage] warning:%s %s\n' "$_y" "$_0" "$*" >&2; }
die() {
  printf '%s[visage] error:%s %s\n' "$_r" "$_0" "$1" >&2
  shift
  local line
  for line in "$@"; do printf '        %s\n' "$line" >&2; done
  exit 1
}

# Exports each KEY=VALUE of a dotenv file that the environment does not already set (real
# environment variables win, as in the apps). Surrounding single or double quotes are removed.
load_env_file() {
  local file="$1" line key value
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in '' | '#'*) continue ;; esac
    key="${line%%=*}"
    value="${line#*=}"
    key="${key#export }"
    [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    case "$value" in \"*\") value="${value:1:${#value}-2}" ;; \'*\') value="${value:1:${#value}-2}" ;; esac
    if [ -z "${!key+set}" ]; then export "$key=$value"; fi
  done <"$file"
}

is_root() { [ "$(id -u)" = 0 ]; }

# Runs a command as root: directly when we are root, through passwordless sudo otherwise.
as_root() {
  if is_root; then "$@"; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"; else return 1; fi
}
can_be_root() { is_root || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; }

# Installs the packages that are not installed yet; fails when there is nothing to install (then
# installing cannot be what is missing) or when apt cannot be used.
apt_install() {
  command -v apt-get >/dev/null 2>&1 && can_be_root || return 1
  local pkg wanted=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || wanted+=("$pkg"); done
  [ ${#wanted[@]} -gt 0 ] || return 1
  set -- "${wanted[@]}"
  say "Installing $* from the OS packages…"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null ||
    { as_root apt-get update >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

# Installs Homebrew formulae (casks with --cask first); fails when Homebrew is not there.
brew_install() {
  command -v brew >/dev/null 2>&1 || return 1
  say "Installing $* with Homebrew…"
  brew install "$@" >/dev/null
}

# True when something accepts TCP connections on host:port (within 1 s).
port_open() {
  node -e '
    const s = require("net").connect({ host: process.argv[1], port: +process.argv[2], timeout: 1000 });
    s.on("connect", () => process.exit(0)).on("timeout", () => process.exit(1)).on("error", () => process.exit(1));
  ' "$1" "$2"
}

# Prints "host port" of a URL, with the scheme's default port.
url_host_port() {
  node -e '
    const u = new URL(process.argv[1]);
    const defaults = { "postgresql:": 5432, "postgres:": 5432, "redis:": 6379, "rediss:": 6379 };
    console.log(u.hostname.replace(/^\[|\]$/g, ""), u.port || defaults[u.protocol] || "");
  ' "$1"
}

is_local_host() { case "$1" in 127.* | localhost | ::1 | 0.0.0.0) return 0 ;; *) return 1 ;; esac; }

# What start.sh and test.sh do first: run setup.sh (with the given flags), then load .env into this shell.
setup_and_load_env() {
  cd "$VISAGE_ROOT"
  bash scripts/setup.sh "$@"
  load_env_file .env
  export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1
}
