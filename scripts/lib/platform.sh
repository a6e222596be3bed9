# Platform detection for setup.sh. Source it, then call detect_platform; it sets:
#   OS_KIND      linux | macos
#   OS_NAME      e.g. "Debian GNU/Linux 12 (bookworm)" or "macOS 15.1"
#   ARCH         x64 | arm64
#   ACCELERATOR  cuda | mps | cpu
#   ACCEL_DETAIL human-readable GPU / chip description
# On macOS it reads sw_vers and sysctl and never calls nvidia-smi (there is no NVIDIA driver there);
# on Linux it asks nvidia-smi only when that command exists.

detect_platform() {
  local kernel
  kernel="$(uname -s)"
  case "$kernel" in
    Darwin) detect_macos ;;
    Linux) detect_linux ;;
    *) die "Unsupported operating system: $kernel." "Visage runs on Linux and macOS (on Windows, use WSL2 with Ubuntu)." ;;
  esac
}

detect_macos() {
  OS_KIND=macos
  OS_NAME="$(sw_vers -productName) $(sw_vers -productVersion)"
  local chip mem_bytes
  chip="$(sysctl -n machdep.cpu.brand_string 2>/dev/null || echo unknown)"
  mem_bytes="$(sysctl -n hw.memsize 2>/dev/null || echo 0)"
  # hw.optional.arm64 is 1 on Apple Silicon even when this shell runs under Rosetta.
  if [ "$(sysctl -n hw.optional.arm64 2>/dev/null || echo 0)" = 1 ]; then
    ARCH=arm64
    ACCELERATOR=mps
    ACCEL_DETAIL="$chip, $((mem_bytes / 1073741824)) GiB unified memory (CoreML)"
    if [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ] || [ "$(node -p process.arch)" != arm64 ]; then
      warn "Node runs as x86_64 under Rosetta, so the CoreML (Apple GPU/Neural Engine) provider is unavailable." \
        "Install the arm64 build of Node.js (e.g. from nodejs.org or 'brew install node@20') and run again."
      ACCELERATOR=cpu
    fi
  else
    ARCH=x64
    ACCELERATOR=cpu
    ACCEL_DETAIL="Intel Mac ($chip): no supported GPU, models run on the CPU"
  fi
}

detect_linux() {
  OS_KIND=linux
  OS_NAME="$( (. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-Linux}") || echo Linux)"
  case "$(uname -m)" in x86_64 | amd64) ARCH=x64 ;; aarch64 | arm64) ARCH=arm64 ;; *) ARCH="$(uname -m)" ;; esac
  ACCELERATOR=cpu
  ACCEL_DETAIL="no NVIDIA GPU found (nvidia-smi not installed): models run on the CPU"
  if command -v nvidia-smi >/dev/null 2>&1; then
    local gpus
    if gpus="$(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>&1)" && [ -n "$gpus" ]; then
      ACCELERATOR=cuda
      ACCEL_DETAIL="$(printf '%s' "$gpus" | paste -sd ';' - | sed 's/;/; /g')"
    else
      ACCEL_DETAIL="nvidia-smi failed ($(printf '%s' "$gpus" | head -n 1)): models run on the CPU"
    fi
  fi
}
