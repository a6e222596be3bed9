# Makes PostgreSQL and Redis reachable for setup.sh. Source it (after common.sh); call
# ensure_postgres and ensure_redis. In order, each tries: what is already listening; a local
# server that is installed but stopped; Docker Compose; installing it from the OS packages.
# When all fail it stops with what to install.

COMPOSE_FILE_FOR_OS="docker-compose.yml"
[ "$(uname -s)" = Darwin ] && COMPOSE_FILE_FOR_OS="docker-compose.mac.yml"

wait_for_port() {
  local host="$1" port="$2" i
  for i in $(seq 1 60); do
    port_open "$host" "$port" && return 0
    sleep 0.5
  done
  return 1
}

compose() {
  if docker compose version >/dev/null 2>&1; then
    docker compose -f "$VISAGE_ROOT/$COMPOSE_FILE_FOR_OS" "$@"
  elif command -v docker-compose >/dev/null 2>&1; then
    docker-compose -f "$VISAGE_ROOT/$COMPOSE_FILE_FOR_OS" "$@"
  else
    return 1
  fi
}
docker_engine_up() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

start_with_compose() {
  local service="$1"
  docker_engine_up || return 1
  say "Starting $service with Docker Compose ($COMPOSE_FILE_FOR_OS)…"
  compose up -d "$service"
}

# Debian/Ubuntu clusters (pg_ctlcluster) that are installed but not running.
start_debian_postgres() {
  command -v pg_lsclusters >/dev/null 2>&1 || return 1
  local version name port status started=1
  while read -r version name port status _; do
    [ "$port" = "$1" ] && [ "$status" = down ] || continue
    say "Starting PostgreSQL $version/$name on port $port…"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start && started=0
  done < <(pg_lsclusters -h 2>/dev/null)
  return $started
}

start_brew_service() {
  command -v brew >/dev/null 2>&1 || return 1
  local formula
  formula="$(brew list --formula 2>/dev/null | grep -E "^$1(@[0-9]+)?$" | sort -V | tail -n 1)"
  [ -n "$formula" ] || return 1
  say "Starting $formula with brew services…"
  brew services start "$formula" >/dev/null
}

# A fresh Debian install lets "postgres" in only over the local socket; give it the password in
# DATABASE_URL so the TCP connection works. Only done right after this script installed it.
set_postgres_password_from_url() {
  local password
  password="$(node -e 'const u = new URL(process.argv[1]); process.stdout.write(decodeURIComponent(u.password))' "$DATABASE_URL")"
  [ -n "$password" ] || return 0
  local user
  user="$(node -e 'process.stdout.write(decodeURIComponent(new URL(process.argv[1]).username) || "postgres")' "$DATABASE_URL")"
  [ "$user" = postgres ] || return 0
  as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD '${password//\'/\'\'}'\"" >/dev/null
}

# ensure_service NAME URL_VARIABLE START_FUNCTION INSTALL_HINT...
# Succeeds at once when something answers at the URL's host and port. Otherwise, for a local
# address, calls START_FUNCTION HOST PORT and waits for the port; stops with the hints on failure.
ensure_service() {
  local name="$1" variable="$2" start="$3" host port
  shift 3
  read -r host port < <(url_host_port "${!variable}")
  if port_open "$host" "$port"; then ok "$name reachable at $host:$port"; return 0; fi
  is_local_host "$host" || die "$name is not reachable at $host:$port (from $variable)." \
    "Check that the server is running and reachable from this machine, or change $variable in .env."
  say "$name is not running at $host:$port; trying to start it."
  { "$start" "$host" "$port" && wait_for_port "$host" "$port"; } ||
    die "$name is not reachable at $host:$port and could not be started." \
      "Install and start it, then run this again:" "$@" "Or point $variable in .env at a running server."
  ok "$name reachable at $host:$port"
}

start_postgres() {
  local host="$1" port="$2"
  start_debian_postgres "$port" || start_brew_service postgresql || start_with_compose postgres ||
    { apt_install postgresql && start_debian_postgres "$port" && wait_for_port "$host" "$port" &&
      set_postgres_password_from_url; }
}

ensure_postgres() {
  ensure_service PostgreSQL DATABASE_URL start_postgres \
    "  Debian/Ubuntu:  sudo apt-get install postgresql && sudo pg_ctlcluster <version> main start" \
    "  macOS:          brew install postgresql@16 && brew services start postgresql@16" \
    "  Docker:         docker compose -f $COMPOSE_FILE_FOR_OS up -d postgres"
}

start_local_redis() {
  command -v redis-server >/dev/null 2>&1 || return 1
  say "Starting redis-server on port $1…"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$1" --save "" --appendonly no >/dev/null
}

start_redis() {
  local port="$2"
  start_brew_service redis || start_local_redis "$port" || start_with_compose redis ||
    { apt_install redis-server && start_local_redis "$port"; }
}

ensure_redis() {
  ensure_service Redis REDIS_URL start_redis \
    "  Debian/Ubuntu:  sudo apt-get install redis-server" \
    "  macOS:          brew install redis && brew services start redis" \
    "  Docker:         docker compose -f $COMPOSE_FILE_FOR_OS up -d redis"
}
