#!/usr/bin/env bash
# The project's test command: ./scripts/test.sh [mocha args...]
#
# Installs npm dependencies when needed, starts throwaway PostgreSQL and MariaDB
# servers on 127.0.0.1 (unless TEST_POSTGRES_URL / TEST_MYSQL_URL name servers
# to use), builds, runs mocha, then stops exactly the servers it started.
# TEST_DIALECTS=postgres (or mysql) runs one dialect only and starts one server.
# Installs the Debian packages postgresql / mariadb-server when the server
# binaries are missing (needs root). Exits with mocha's status.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf 'test.sh: %s\n' "$*"; }
die() { printf 'test.sh: error: %s\n' "$*" >&2; exit 1; }

now_us() { echo "${EPOCHREALTIME//[.,]/}"; }
READY_TIMEOUT_US=30000000 # how long a server may take to start
elapsed() { # seconds since a now_us value, one decimal
  local d=$(( $(now_us) - $1 ))
  printf '%d.%d' $(( d / 1000000 )) $(( d % 1000000 / 100000 ))
}

# ---------------------------------------------------------------- cleanup ----
WORK=""        # temp folder holding both servers' data, sockets and logs
PG_DATA=""     # set once PostgreSQL was started by us
PG_RUNNER=""   # pid of the background job (runuser or postgres itself)
MY_PID=""      # mariadbd pid
MOCHA_PID=""

stop_pid() { # stop_pid PID SIGNAL LABEL: signal, wait up to 15 s, then SIGKILL
  local pid=$1 sig=$2 label=$3 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "$label did not stop in 15 s, killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  set +e
  trap - EXIT INT TERM HUP
  if [[ -n "$MOCHA_PID" ]]; then stop_pid "$MOCHA_PID" TERM mocha; fi
  if [[ -n "$PG_DATA" ]]; then
    # The postmaster's own pid (PG_RUNNER may be runuser, which waits for it).
    local pg_pid
    pg_pid="$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null)"
    # SIGINT = fast shutdown: disconnects clients, no checkpoint wait worth having.
    if [[ "$pg_pid" =~ ^[0-9]+$ ]]; then stop_pid "$pg_pid" INT PostgreSQL; fi
    if [[ -n "$PG_RUNNER" ]]; then stop_pid "$PG_RUNNER" TERM 'PostgreSQL launcher'; fi
  fi
  if [[ -n "$MY_PID" ]]; then stop_pid "$MY_PID" TERM MariaDB; fi
  wait 2>/dev/null
  if [[ -n "$WORK" && -d "$WORK" ]]; then rm -rf -- "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ------------------------------------------------------------------ helpers ----
IS_ROOT=0
if [[ "$(id -u)" -eq 0 ]]; then IS_ROOT=1; fi

APT_UPDATED=0
apt_install() { # apt_install PACKAGE...
  [[ $IS_ROOT -eq 1 ]] || die "$* not installed and not running as root: install it (apt-get install $*) or set the TEST_*_URL variables to existing servers"
  command -v apt-get >/dev/null || die "$* not installed and apt-get is not available: install it or set the TEST_*_URL variables"
  if [[ $APT_UPDATED -eq 0 ]]; then
    log "apt-get update"
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "installing $* (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

free_port() { # asks the kernel for a free loopback port
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

wanted() { # wanted postgres|mysql: is this dialect selected by TEST_DIALECTS?
  local list=",${TEST_DIALECTS:-postgres,mysql},"
  list="${list// /}"
  case "$1" in
    postgres) [[ "$list" =~ ,(postgres|postgresql|pg), ]] ;;
    mysql) [[ "$list" =~ ,(mysql|mariadb), ]] ;;
  esac
}

make_work_dir() {
  if [[ -z "$WORK" ]]; then
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/ged-test.XXXXXX")"
    chmod 755 "$WORK" # the postgres user must reach its subfolder
  fi
}

# ------------------------------------------------------------ npm install ----
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# -------------------------------------------------------------- PostgreSQL ----
find_pg_bin() { # prints the bin folder of the highest installed PostgreSQL
  local dir
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
  if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/postgres" ]]; then
    echo "$dir"
  elif command -v initdb >/dev/null && command -v postgres >/dev/null; then
    dirname "$(command -v postgres)"
  fi
}

start_postgres() {
  local bin isready version port started run=()
  bin="$(find_pg_bin)"
  if [[ -z "$bin" ]]; then
    apt_install postgresql
    bin="$(find_pg_bin)"
    [[ -n "$bin" ]] || die "PostgreSQL server binaries still not found after installing postgresql"
  fi
  isready="$bin/pg_isready"
  [[ -x "$isready" ]] || isready="$(command -v pg_isready)" || die "pg_isready not found"
  version="$("$bin/postgres" --version)"
  if [[ "$version" =~ ([0-9]+) ]]; then version="${BASH_REMATCH[1]}"; fi # major version
  make_work_dir
  mkdir -p "$WORK/pg"
  if [[ $IS_ROOT -eq 1 ]]; then
    # PostgreSQL refuses to run as root.
    id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run PostgreSQL"
    chown postgres: "$WORK/pg"
    run=(runuser -u postgres --)
    "${run[@]}" test -w "$WORK/pg" || die "the postgres user cannot reach $WORK: set TMPDIR to a folder it can traverse"
  fi
  chmod 700 "$WORK/pg"
  port="$(free_port)"
  log "starting throwaway PostgreSQL $version on 127.0.0.1:$port"
  started="$(now_us)"
  # Run from $WORK: the postgres user may not be allowed into the current folder.
  if ! (cd "$WORK" && "${run[@]}" "$bin/initdb" -D "$WORK/pg/data" -U postgres -E UTF8 --locale=C \
      --auth-local=trust --auth-host=trust --no-sync >"$WORK/pg/initdb.log" 2>&1); then
    cat "$WORK/pg/initdb.log" >&2
    die "initdb failed"
  fi
  mkdir -p "$WORK/pg/sock"
  if [[ $IS_ROOT -eq 1 ]]; then chown postgres: "$WORK/pg/sock"; fi
  PG_DATA="$WORK/pg/data"
  (cd "$WORK" && exec "${run[@]}" "$bin/postgres" -D "$PG_DATA" -p "$port" -k "$WORK/pg/sock" \
    -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
    -c full_page_writes=off -c max_connections=200 </dev/null >"$WORK/pg/server.log" 2>&1) &
  PG_RUNNER=$!
  while (( $(now_us) - started < READY_TIMEOUT_US )); do
    if "$isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -t 1; then
      log "PostgreSQL ready in $(elapsed "$started") s"
      export TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
      return 0
    fi
    kill -0 "$PG_RUNNER" 2>/dev/null || break
    sleep 0.1
  done
  cat "$WORK/pg/server.log" >&2
  die "PostgreSQL did not become ready within 30 s (log above)"
}

# ----------------------------------------------------------------- MariaDB ----
find_first() { # prints the first of the given commands found on PATH or in sbin folders
  local name dir
  for name in "$@"; do
    for dir in "" /usr/sbin/ /usr/local/sbin/ /usr/bin/ /usr/local/bin/; do
      if [[ -z "$dir" ]]; then
        command -v "$name" 2>/dev/null && return 0
      elif [[ -x "$dir$name" ]]; then
        echo "$dir$name" && return 0
      fi
    done
  done
  return 0
}

start_mariadb() {
  local server install client version port started user_opt=()
  server="$(find_first mariadbd mysqld)"
  install="$(find_first mariadb-install-db mysql_install_db)"
  client="$(find_first mariadb mysql)"
  if [[ -z "$server" || -z "$install" || -z "$client" ]]; then
    apt_install mariadb-server
    server="$(find_first mariadbd mysqld)"
    install="$(find_first mariadb-install-db mysql_install_db)"
    client="$(find_first mariadb mysql)"
    [[ -n "$server" && -n "$install" && -n "$client" ]] || die "MariaDB binaries still not found after installing mariadb-server"
  fi
  version="$("$server" --version)"
  [[ "$version" == *MariaDB* ]] || die "$server is not MariaDB ($version): set TEST_MYSQL_URL to a MySQL server instead"
  version="$(sed -E 's/.*Ver ([0-9]+\.[0-9]+\.[0-9]+).*/\1/' <<<"$version")"
  # Only root may pass --user, and mariadbd must be told explicitly to run as root.
  if [[ $IS_ROOT -eq 1 ]]; then user_opt=(--user=root); fi
  make_work_dir
  mkdir -p "$WORK/my"
  port="$(free_port)"
  log "starting throwaway MariaDB $version on 127.0.0.1:$port"
  started="$(now_us)"
  # 'normal' gives root@localhost, root@127.0.0.1 and root@::1 an empty password;
  # the default 'socket' method would refuse root over TCP.
  if ! "$install" --no-defaults "${user_opt[@]}" --datadir="$WORK/my/data" \
      --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
      >"$WORK/my/install.log" 2>&1; then
    cat "$WORK/my/install.log" >&2
    die "mariadb-install-db failed"
  fi
  # Default (strict) sql_mode is kept on purpose. utf8mb4 server defaults as in
  # Debian's packaged configuration (which --no-defaults skips).
  "$server" --no-defaults "${user_opt[@]}" --datadir="$WORK/my/data" --port="$port" \
    --bind-address=127.0.0.1 --socket="$WORK/my/mysqld.sock" --pid-file="$WORK/my/mysqld.pid" \
    --log-error="$WORK/my/server.log" --skip-name-resolve --skip-log-bin \
    --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    </dev/null >>"$WORK/my/server.log" 2>&1 &
  MY_PID=$!
  while (( $(now_us) - started < READY_TIMEOUT_US )); do
    # A real query as root over TCP, not just a ping: checks the empty password works.
    if "$client" --no-defaults --protocol=TCP -h 127.0.0.1 -P "$port" -u root \
        --connect-timeout=1 -e 'SELECT 1' >/dev/null 2>&1; then
      log "MariaDB ready in $(elapsed "$started") s"
      export TEST_MYSQL_URL="mysql://root@127.0.0.1:$port/"
      return 0
    fi
    kill -0 "$MY_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$WORK/my/server.log" >&2
  die "MariaDB did not accept connections within 30 s (log above)"
}

# The key tests generate OpenSSH-format keys with ssh-keygen, as users do.
if ! command -v ssh-keygen >/dev/null; then apt_install openssh-client; fi

if wanted postgres; then
  if [[ -n "${TEST_POSTGRES_URL:-}" ]]; then log "using PostgreSQL from TEST_POSTGRES_URL"; else start_postgres; fi
fi
if wanted mysql; then
  if [[ -n "${TEST_MYSQL_URL:-}" ]]; then log "using MySQL/MariaDB from TEST_MYSQL_URL"; else start_mariadb; fi
fi

# ------------------------------------------------------------ build + test ----
log "building (npm run build)"
rm -rf "$ROOT/dist" # no stale compiled test of a deleted source file may run
build_status=0
npm run --silent build || build_status=$?
if [[ $build_status -ne 0 ]]; then
  log "build failed (status $build_status, errors above); running mocha on what tsc emitted anyway"
fi

# mocha runs in the background so that a signal to this script runs the cleanup
# trap at once instead of after mocha ends. Its own bin (what `npx mocha` runs) is
# started directly: npx would not pass the signal on to it.
# TEST_COMMAND replaces mocha with another program that needs the same servers (the benchmark uses it).
if [[ -n "${TEST_COMMAND:-}" ]]; then
  log "running $TEST_COMMAND${*:+ $*}"
  $TEST_COMMAND "$@" </dev/null &
else
  log "running mocha${*:+ $*}"
  "$ROOT/node_modules/.bin/mocha" "$@" </dev/null &
fi
MOCHA_PID=$!
mocha_status=0
wait "$MOCHA_PID" || mocha_status=$?
MOCHA_PID=""

if [[ $mocha_status -eq 0 && $build_status -ne 0 ]]; then
  log "tests passed but the build failed"
  exit "$build_status"
fi
exit "$mocha_status"
