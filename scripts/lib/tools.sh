# System tools Visage runs as child processes, for setup.sh. Source it (after common.sh); call
# ensure_tools with the tools a command needs:
#   ffmpeg    ffmpeg + ffprobe: probing uploads, poster frames, every video job (npm start and npm test)
#   chromium  the browser the web UI tests drive through playwright-core (npm test)
#   compose   a Compose implementation, to validate the compose files (npm test)
#   python-torch  Python 3 with PyTorch and onnx: tools/export-wan's tests (npm test)
#   redis-server  a Redis server binary the Redis-restart fault test starts on its own port (npm test)
# Missing ones are installed with apt (Debian/Ubuntu, as root or with passwordless sudo) or Homebrew
# (macOS); when that is not possible it stops, naming each missing tool and how to install it.

# The browser the tests launch: CHROMIUM_PATH, else the first Chromium or Chrome found.
find_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    [ -x "$CHROMIUM_PATH" ] && printf '%s\n' "$CHROMIUM_PATH"
    return # a CHROMIUM_PATH that is not there is an error to report, not a reason to look elsewhere
  fi
  local name app
  for name in chromium chromium-browser google-chrome-stable google-chrome; do
    command -v "$name" 2>/dev/null && return 0
  done
  for app in "/Applications/Chromium.app/Contents/MacOS/Chromium" \
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"; do
    [ -x "$app" ] && printf '%s\n' "$app" && return 0
  done
  return 1
}

# The Python the Wan export tests run (packages/plugins/test/wan-export.test.ts looks the same way):
# VISAGE_PYTHON, python3 or Debian's /usr/bin/python3 (a pyenv python3 does not see Debian's packages),
# the first that imports torch and onnx.
find_torch_python() {
  local python
  for python in ${VISAGE_PYTHON:+"$VISAGE_PYTHON"} python3 /usr/bin/python3; do
    "$python" -c 'import torch, onnx' >/dev/null 2>&1 && printf '%s\n' "$python" && return 0
  done
  return 1
}

has_tool() {
  case "$1" in
    ffmpeg) command -v "${FFMPEG_PATH:-ffmpeg}" >/dev/null 2>&1 && command -v "${FFPROBE_PATH:-ffprobe}" >/dev/null 2>&1 ;;
    chromium) find_chromium >/dev/null ;;
    compose) command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 ;;
    python-torch) find_torch_python >/dev/null ;;
    redis-server) command -v redis-server >/dev/null 2>&1 ;;
  esac
}

# The packages that provide a tool: apt_package TOOL / brew_package TOOL (none: not from Homebrew).
apt_package() {
  case "$1" in
    ffmpeg) echo ffmpeg ;; chromium) echo chromium ;; compose) echo docker-compose ;;
    python-torch) echo python3-torch python3-onnx ;;
    redis-server) echo redis-server ;;
  esac
}
brew_package() { case "$1" in ffmpeg) echo ffmpeg ;; chromium) echo "--cask chromium" ;; compose) echo docker-compose ;; redis-server) echo redis ;; esac; }

tool_hint() {
  case "$1" in
    ffmpeg) echo "  ffmpeg + ffprobe   Debian/Ubuntu: sudo apt-get install ffmpeg   macOS: brew install ffmpeg   (or set FFMPEG_PATH and FFPROBE_PATH)" ;;
    chromium) echo "  Chromium           Debian: sudo apt-get install chromium   macOS: brew install --cask chromium   (or set CHROMIUM_PATH to a Chromium or Chrome binary)" ;;
    compose) echo "  Docker Compose     Debian/Ubuntu: sudo apt-get install docker-compose   macOS: brew install docker-compose" ;;
    python-torch) echo "  PyTorch + onnx     Debian/Ubuntu: sudo apt-get install python3-torch python3-onnx   macOS: pip3 install torch onnx   (or set VISAGE_PYTHON to a python that has both)" ;;
    redis-server) echo "  redis-server       Debian/Ubuntu: sudo apt-get install redis-server   macOS: brew install redis" ;;
  esac
}

ensure_tools() {
  local tool missing=() packages=()
  for tool in "$@"; do has_tool "$tool" || missing+=("$tool"); done
  [ ${#missing[@]} -gt 0 ] || { ok "System tools present: $*"; return 0; }

  if [ "$OS_KIND" = macos ]; then
    for tool in "${missing[@]}"; do
      [ -n "$(brew_package "$tool")" ] || continue # not a Homebrew package: the hint below says how
      # shellcheck disable=SC2046 # "--cask chromium" is two words on purpose
      brew_install $(brew_package "$tool") || break
    done
  else
    local words
    for tool in "${missing[@]}"; do
      read -r -a words <<<"$(apt_package "$tool")"
      packages+=("${words[@]}")
    done
    apt_install "${packages[@]}" || true # the check below says what is still missing
  fi

  local still=() hints=()
  for tool in "${missing[@]}"; do has_tool "$tool" || { still+=("$tool"); hints+=("$(tool_hint "$tool")"); }; done
  [ ${#still[@]} -eq 0 ] ||
    die "Missing system tools: ${still[*]}. Install them and run this again:" "${hints[@]}"
  ok "Installed ${missing[*]}"
}
