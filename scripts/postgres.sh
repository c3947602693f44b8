#!/usr/bin/env bash
# Throw-away PostgreSQL server for mentor-ledger's tests.
#
#   eval "$(bash scripts/postgres.sh start)"   # start (or reuse) and export MENTOR_LEDGER_PG_URL
#   bash scripts/postgres.sh env               # print the export line of the running server
#   bash scripts/postgres.sh status            # show the recorded server, exit 0 iff it is running
#   bash scripts/postgres.sh stop              # stop it and delete its data (idempotent)
#
# The server listens only on 127.0.0.1, on a free TCP port, with trust auth and
# fsync off; its data directory and unix socket live in a fresh temp directory.
# PostgreSQL refuses to run as root, so when run as root the server runs as a
# dedicated system user (created on demand). When PostgreSQL is not installed and
# we are root, the Debian package is installed with apt-get.
#
# Only the `export ...` line goes to stdout; everything else goes to stderr.
# State is kept in <repo>/.pg/state (gitignored).
#
# Environment overrides:
#   MENTOR_LEDGER_PG_BINDIR   directory holding initdb/pg_ctl/postgres/pg_isready
#   MENTOR_LEDGER_PG_OS_USER  system user that runs the server (default mentorledger-pg)
#   MENTOR_LEDGER_PG_TMPDIR   parent of the temp directory (default /tmp)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="$ROOT/.pg"
STATE_FILE="$STATE_DIR/state"
LOCK_FILE="$STATE_DIR/lock"
DB_NAME="mentor_ledger_test"
DB_SUPERUSER="postgres"
HOST="127.0.0.1"
TMP_PREFIX="mentor-ledger-pg."
PG_OS_USER_DEFAULT="${MENTOR_LEDGER_PG_OS_USER:-mentorledger-pg}"
TMP_PARENT="${MENTOR_LEDGER_PG_TMPDIR:-/tmp}"

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() {
  printf 'postgres.sh: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat >&2 <<'EOF'
usage: bash scripts/postgres.sh <command>

  start    start a throw-away PostgreSQL on 127.0.0.1 (or reuse the running one)
           and print `export MENTOR_LEDGER_PG_URL=...` as the last stdout line
  stop     stop the server and delete its data directory (idempotent)
  env      print the export line of the running server (exit 1 if none)
  status   describe the recorded server (exit 0 if running, 1 if not)

  eval "$(bash scripts/postgres.sh start)"
EOF
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# ---------------------------------------------------------------- state file

# State values (filled by load_state / start).
S_TMP="" S_DATA="" S_PORT="" S_URL="" S_USER="" S_BINDIR=""

load_state() {
  S_TMP="" S_DATA="" S_PORT="" S_URL="" S_USER="" S_BINDIR=""
  [[ -f "$STATE_FILE" ]] || return 1
  local key value
  while IFS='=' read -r key value; do
    case "$key" in
      PG_TMP_DIR) S_TMP="$value" ;;
      PG_DATA_DIR) S_DATA="$value" ;;
      PG_PORT) S_PORT="$value" ;;
      PG_URL) S_URL="$value" ;;
      PG_OS_USER) S_USER="$value" ;;
      PG_BINDIR) S_BINDIR="$value" ;;
    esac
  done <"$STATE_FILE"
  [[ -n "$S_TMP" && -n "$S_DATA" && -n "$S_PORT" && -n "$S_URL" && -n "$S_BINDIR" ]] || {
    log "ignoring malformed state file $STATE_FILE"
    return 1
  }
}

write_state() {
  mkdir -p "$STATE_DIR"
  local tmp="$STATE_FILE.$$"
  {
    printf '# written by scripts/postgres.sh start on %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf 'PG_TMP_DIR=%s\n' "$S_TMP"
    printf 'PG_DATA_DIR=%s\n' "$S_DATA"
    printf 'PG_PORT=%s\n' "$S_PORT"
    printf 'PG_URL=%s\n' "$S_URL"
    printf 'PG_OS_USER=%s\n' "$S_USER"
    printf 'PG_BINDIR=%s\n' "$S_BINDIR"
  } >"$tmp"
  mv -f "$tmp" "$STATE_FILE"
}

export_line() { printf 'export MENTOR_LEDGER_PG_URL=%s\n' "$1"; }

# Serialise start/stop of the same checkout.
take_lock() {
  mkdir -p "$STATE_DIR"
  exec 9>"$LOCK_FILE"
  if ! flock -w 120 9; then
    die "timed out waiting for the lock $LOCK_FILE (another postgres.sh running?)"
  fi
}

# ---------------------------------------------------------------- helpers

# Run a command as the server's OS user ($S_USER; empty = current user).
# cd / first so the user never lands in a directory it cannot read (e.g. /root),
# and close the lock fd so a long-lived postmaster does not inherit (and hold) it.
as_pg() {
  if [[ -n "$S_USER" ]] && is_root; then
    (cd / && runuser -u "$S_USER" -- "$@" 9>&-)
  else
    (cd / && "$@" 9>&-)
  fi
}

find_bindir() {
  local d
  if [[ -n "${MENTOR_LEDGER_PG_BINDIR:-}" ]]; then
    [[ -x "$MENTOR_LEDGER_PG_BINDIR/pg_ctl" ]] ||
      die "MENTOR_LEDGER_PG_BINDIR=$MENTOR_LEDGER_PG_BINDIR has no pg_ctl"
    printf '%s\n' "$MENTOR_LEDGER_PG_BINDIR"
    return 0
  fi
  if [[ -x /usr/lib/postgresql/15/bin/pg_ctl && -x /usr/lib/postgresql/15/bin/postgres ]]; then
    printf '%s\n' /usr/lib/postgresql/15/bin
    return 0
  fi
  # Any other Debian-packaged major version, newest first.
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    if [[ -x "$d/pg_ctl" && -x "$d/postgres" && -x "$d/initdb" ]]; then
      printf '%s\n' "$d"
      return 0
    fi
  done
  if command -v pg_config >/dev/null 2>&1; then
    d="$(pg_config --bindir 2>/dev/null || true)"
    if [[ -n "$d" && -x "$d/pg_ctl" && -x "$d/postgres" ]]; then
      printf '%s\n' "$d"
      return 0
    fi
  fi
  return 1
}

install_postgres() {
  is_root || die "PostgreSQL is not installed and we are not root; run: sudo apt-get install -y postgresql (or set MENTOR_LEDGER_PG_BINDIR)"
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed and apt-get is unavailable; set MENTOR_LEDGER_PG_BINDIR"
  log "PostgreSQL binaries not found; installing the Debian package (apt-get, takes a minute)..."
  export DEBIAN_FRONTEND=noninteractive
  local apt_opts=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  apt-get update -q >&2 || die "apt-get update failed"
  # Install postgresql-common first and tell it not to create (and start) the
  # default 'main' cluster on port 5432: we only want the binaries.
  apt-get install "${apt_opts[@]}" postgresql-common >&2 || die "apt-get install postgresql-common failed"
  if [[ -f /etc/postgresql-common/createcluster.conf ]]; then
    sed -ri 's/^#?\s*(create_main_cluster)\s*=.*$/\1 = false/' /etc/postgresql-common/createcluster.conf
  fi
  apt-get install "${apt_opts[@]}" postgresql >&2 || die "apt-get install postgresql failed"
}

ensure_os_user() {
  if ! is_root; then
    S_USER=""
    return 0
  fi
  S_USER="$PG_OS_USER_DEFAULT"
  if ! id -u "$S_USER" >/dev/null 2>&1; then
    log "creating system user $S_USER"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$S_USER" >&2 || die "useradd $S_USER failed"
  fi
}

free_port() {
  if command -v node >/dev/null 2>&1; then
    node -e '
      const s = require("net").createServer();
      s.listen(0, "127.0.0.1", () => { process.stdout.write(String(s.address().port)); s.close(); });
    '
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1], end=""); s.close()'
  else
    die "need node or python3 to find a free port"
  fi
}

# Is the server recorded in the loaded state up and accepting connections?
state_running() {
  [[ -d "$S_DATA" ]] || return 1
  [[ -x "$S_BINDIR/pg_ctl" ]] || return 1
  as_pg "$S_BINDIR/pg_ctl" status -D "$S_DATA" >/dev/null 2>&1 || return 1
  "$S_BINDIR/pg_isready" -q -h "$HOST" -p "$S_PORT" -d postgres -U "$DB_SUPERUSER" >/dev/null 2>&1
}

# Only ever rm -rf directories we created ourselves.
safe_rm_tmp() {
  local dir="$1"
  [[ -n "$dir" ]] || return 0
  case "$(basename "$dir")" in
    "$TMP_PREFIX"*) ;;
    *)
      log "refusing to delete unexpected directory '$dir'"
      return 0
      ;;
  esac
  [[ -d "$dir" ]] && rm -rf -- "$dir"
  return 0
}

# PID of the live postmaster of data dir $1 (not a zombie), or fail.
postmaster_pid() {
  local pidfile="$1/postmaster.pid" pid state
  [[ -f "$pidfile" ]] || return 1
  pid="$(head -n1 "$pidfile" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/stat" ]] || return 1
  state="$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ "$state" != "Z" && "$state" != "X" ]] || return 1
  grep -q postgres "/proc/$pid/comm" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

# Stop the server from the loaded state (if any) and delete everything.
teardown() {
  if [[ -n "$S_DATA" && -x "$S_BINDIR/pg_ctl" ]] && postmaster_pid "$S_DATA" >/dev/null; then
    log "stopping PostgreSQL (data dir $S_DATA, port $S_PORT)"
    if ! as_pg "$S_BINDIR/pg_ctl" stop -D "$S_DATA" -m fast -w -t 30 >&2; then
      log "fast shutdown failed; trying immediate shutdown"
      as_pg "$S_BINDIR/pg_ctl" stop -D "$S_DATA" -m immediate -w -t 30 >&2 || true
    fi
    # Last resort: kill the postmaster recorded in postmaster.pid.
    local pid
    if pid="$(postmaster_pid "$S_DATA")"; then
      log "killing postmaster $pid"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
    fi
  fi
  safe_rm_tmp "$S_TMP"
  rm -f -- "$STATE_FILE"
}

# ---------------------------------------------------------------- commands

cmd_start() {
  take_lock

  if load_state; then
    if state_running; then
      log "PostgreSQL already running on $HOST:$S_PORT (data dir $S_DATA)"
      export_line "$S_URL"
      return 0
    fi
    log "state file found but its server is not running; cleaning up and starting a new one"
    teardown
  fi

  if [[ -n "${MENTOR_LEDGER_PG_BINDIR:-}" && ! -x "$MENTOR_LEDGER_PG_BINDIR/pg_ctl" ]]; then
    die "MENTOR_LEDGER_PG_BINDIR=$MENTOR_LEDGER_PG_BINDIR has no pg_ctl"
  fi
  local bindir
  if ! bindir="$(find_bindir)"; then
    install_postgres
    bindir="$(find_bindir)" || die "PostgreSQL binaries still not found after installing the package"
  fi
  local b
  for b in initdb pg_ctl postgres pg_isready psql; do
    [[ -x "$bindir/$b" ]] || die "$bindir/$b is missing"
  done
  S_BINDIR="$bindir"
  ensure_os_user

  mkdir -p "$TMP_PARENT"
  S_TMP="$(mktemp -d "$TMP_PARENT/${TMP_PREFIX}XXXXXX")"
  S_DATA="$S_TMP/data"
  local sockdir="$S_TMP/socket"
  local logfile="$S_TMP/postgres.log"
  # The state is written as soon as the temp dir exists so that `stop` can
  # always clean up, even after a failed start.
  S_PORT="0" S_URL="-"
  write_state
  # Anything failing from here on leaves no server or temp dir behind.
  trap 'rc=$?; if [[ $rc -ne 0 ]]; then log "start failed; cleaning up"; [[ -f "${logfile:-}" ]] && tail -n 30 "$logfile" >&2; teardown; fi' EXIT

  mkdir -p "$sockdir"
  touch "$logfile"
  if [[ -n "$S_USER" ]]; then
    chown -R "$S_USER:" "$S_TMP"
  fi
  chmod 0700 "$S_TMP"

  log "initdb in $S_DATA ($("$bindir/postgres" --version))"
  local initdb_out
  if ! initdb_out="$(as_pg "$bindir/initdb" -D "$S_DATA" -U "$DB_SUPERUSER" \
    --auth-local=trust --auth-host=trust --encoding=UTF8 --no-locale --no-sync 2>&1)"; then
    printf '%s\n' "$initdb_out" >&2
    die "initdb failed"
  fi

  # Only local (unix socket) and 127.0.0.1 connections, both trusted.
  cat >"$S_DATA/pg_hba.conf" <<'EOF'
# Generated by scripts/postgres.sh: throw-away test server, loopback only.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   trust
EOF

  local attempt started=""
  for attempt in 1 2 3 4 5; do
    S_PORT="$(free_port)"
    [[ "$S_PORT" =~ ^[0-9]+$ ]] || die "could not find a free TCP port (got '$S_PORT')"
    cat >"$S_DATA/postgresql.auto.conf" <<EOF
# Generated by scripts/postgres.sh (attempt $attempt).
listen_addresses = '$HOST'
port = $S_PORT
unix_socket_directories = '$sockdir'
unix_socket_permissions = 0700
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
    if [[ -n "$S_USER" ]]; then
      chown "$S_USER:" "$S_DATA/pg_hba.conf" "$S_DATA/postgresql.auto.conf"
    fi
    write_state
    log "starting PostgreSQL on $HOST:$S_PORT (log $logfile)"
    if as_pg "$bindir/pg_ctl" start -D "$S_DATA" -l "$logfile" -w -t 60 -s >&2; then
      started=1
      break
    fi
    if grep -qiE 'could not bind|address already in use' "$logfile"; then
      log "port $S_PORT was taken in the meantime; retrying with another port"
      continue
    fi
    tail -n 30 "$logfile" >&2 || true
    die "pg_ctl start failed (see above)"
  done
  [[ -n "$started" ]] || die "could not start PostgreSQL after several attempts"

  local i
  for ((i = 0; i < 60; i++)); do
    if "$bindir/pg_isready" -q -h "$HOST" -p "$S_PORT" -d postgres -U "$DB_SUPERUSER"; then
      break
    fi
    sleep 0.5
  done
  "$bindir/pg_isready" -q -h "$HOST" -p "$S_PORT" -d postgres -U "$DB_SUPERUSER" ||
    die "PostgreSQL did not become ready on $HOST:$S_PORT"

  log "creating database $DB_NAME"
  PGCONNECT_TIMEOUT=10 "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$S_PORT" \
    -U "$DB_SUPERUSER" -d postgres -c "CREATE DATABASE $DB_NAME" >&2 ||
    die "could not create database $DB_NAME"

  S_URL="postgres://$DB_SUPERUSER@$HOST:$S_PORT/$DB_NAME"
  write_state
  trap - EXIT
  log "PostgreSQL ready: $S_URL (stop with: bash scripts/postgres.sh stop)"
  export_line "$S_URL"
}

cmd_stop() {
  take_lock
  if ! load_state; then
    if [[ -f "$STATE_FILE" ]]; then
      rm -f -- "$STATE_FILE"
    fi
    log "no PostgreSQL recorded in $STATE_FILE; nothing to stop"
    return 0
  fi
  teardown
  log "stopped and removed $S_TMP"
}

cmd_env() {
  if load_state && state_running; then
    export_line "$S_URL"
    return 0
  fi
  log "no running PostgreSQL (start one with: eval \"\$(bash scripts/postgres.sh start)\")"
  return 1
}

cmd_status() {
  if ! load_state; then
    echo "not running (no state file $STATE_FILE)"
    return 1
  fi
  local running="no"
  state_running && running="yes"
  cat <<EOF
running:  $running
url:      $S_URL
port:     $S_PORT
data dir: $S_DATA
temp dir: $S_TMP
os user:  ${S_USER:-$(id -un)}
binaries: $S_BINDIR
EOF
  [[ "$running" == "yes" ]]
}

main() {
  if [[ $# -ne 1 ]]; then
    usage
    exit 2
  fi
  case "$1" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    env) cmd_env ;;
    status) cmd_status ;;
    -h | --help | help) usage ;;
    *)
      usage
      die "unknown command '$1'"
      ;;
  esac
}

main "$@"
