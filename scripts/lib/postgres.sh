# Shared helpers for scripts/run and scripts/test: find or install PostgreSQL server binaries.
# Sourced, not executed.

pt_find_pg_bin() {
  if [ -n "${PT_PG_BIN:-}" ] && [ -x "$PT_PG_BIN/initdb" ]; then echo "$PT_PG_BIN"; return 0; fi
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

# Installs Debian's postgresql when no server binaries are found (needs root, as on CI and dev machines).
pt_ensure_pg_bin() {
  if pt_find_pg_bin >/dev/null; then pt_find_pg_bin; return 0; fi
  echo "PostgreSQL server binaries not found; installing 'postgresql' with apt..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
  # Debian's package starts a cluster of its own; we never use it.
  (service postgresql stop >/dev/null 2>&1 || true)
  pt_find_pg_bin
}

pt_ensure_dotnet() {
  if command -v dotnet >/dev/null 2>&1; then return 0; fi
  echo "dotnet not found on PATH; install the .NET 10 SDK first (see README)." >&2
  return 1
}

# Debian's chromium for the browser tests (Playwright drives it; no browser is ever downloaded by a tool).
pt_ensure_chromium() {
  if [ -x "${PT_CHROMIUM:-/usr/bin/chromium}" ]; then return 0; fi
  echo "chromium not found; installing Debian's chromium with apt (for the web application's browser tests)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq chromium >&2
}
