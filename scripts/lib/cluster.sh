# Throwaway or persistent PostgreSQL clusters run as the 'postgres' user (the server refuses to run as root).
# Sourced by scripts/run and the load scripts. Needs scripts/lib/postgres.sh.

pt_free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# pt_as_pg CMD...: run a command as the postgres user when we are root, else as ourselves.
pt_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pt_cluster_start DIR PORT: initdb on first use, then start bound to 127.0.0.1:PORT with its socket under DIR.
pt_cluster_start() {
  local dir="$1" port="$2" bin; bin="$(pt_ensure_pg_bin)"
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown postgres "$dir"
  fi
  dir="$(cd "$dir" && pwd)"
  if [ ! -f "$dir/pgdata/PG_VERSION" ]; then
    pt_as_pg mkdir -p "$dir/pgdata" "$dir/socket"
    pt_as_pg "$bin/initdb" -D "$dir/pgdata" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; return 1; }
  fi
  pt_as_pg "$bin/pg_ctl" -D "$dir/pgdata" -l "$dir/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket -c fsync=${PT_PG_FSYNC:-on}" start >/dev/null \
    || { tail -n 20 "$dir/postgres.log" >&2; return 1; }
}

pt_cluster_stop() {
  local dir="$1" bin; bin="$(pt_find_pg_bin)" || return 0
  [ -f "$dir/pgdata/postmaster.pid" ] && pt_as_pg "$bin/pg_ctl" -D "$dir/pgdata" -m fast -w stop >/dev/null 2>&1 || true
}

pt_create_db() {
  local port="$1" name="$2"
  psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "select 1 from pg_database where datname = '$name'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "create database \"$name\"" >/dev/null
}
