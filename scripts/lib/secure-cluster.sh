# Least privilege for scripts/run's embedded cluster (sourced after postgres.sh and cluster.sh).
# pt_cluster_secure DIR PORT DB: on first use generates passwords (kept under DIR/secrets, mode 600) for the superuser,
# the schema owner (pt_owner: migrations) and the service (pt_service: a member of proceduretracker_service, see
# sql/0014_least_privilege.sql); hands the database and everything in it to pt_owner; switches the cluster from trust
# to scram-sha-256 on 127.0.0.1 and the socket. Exports ConnectionStrings__Tracker (the service) and
# ConnectionStrings__TrackerOwner (migrations), and PGPASSWORD for this script's own psql calls. Idempotent.
pt_cluster_secure() {
  local dir="$1" port="$2" db="$3" secrets
  secrets="$dir/secrets"
  (umask 077; mkdir -p "$secrets")
  local name
  for name in postgres pt_owner pt_service; do
    [ -s "$secrets/$name.password" ] || (umask 077; head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 >"$secrets/$name.password")
  done
  local su owner service
  su="$(cat "$secrets/postgres.password")"; owner="$(cat "$secrets/pt_owner.password")"; service="$(cat "$secrets/pt_service.password")"
  export PGPASSWORD="$su"
  local hba="$dir/pgdata/pg_hba.conf"
  if ! grep -q '^# proceduretracker: scram' "$hba"; then
    # Still trust: set the passwords first, then require them.
    psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qc "alter role postgres password '$su'" >/dev/null
    pt_as_pg tee "$hba" >/dev/null <<HBA
# proceduretracker: scram-sha-256 for every connection, loopback and socket only (scripts/lib/secure-cluster.sh)
local   all all                scram-sha-256
host    all all 127.0.0.1/32   scram-sha-256
host    all all ::1/128        scram-sha-256
HBA
    pt_as_pg "$(pt_find_pg_bin)/pg_ctl" -D "$dir/pgdata" reload >/dev/null
  fi
  psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q >/dev/null <<SQL
do \$\$ begin
  if not exists (select from pg_roles where rolname = 'pt_owner') then create role pt_owner login; end if;
  if not exists (select from pg_roles where rolname = 'proceduretracker_service') then create role proceduretracker_service nologin; end if;
  if not exists (select from pg_roles where rolname = 'pt_service') then create role pt_service login in role proceduretracker_service; end if;
end \$\$;
alter role pt_owner password '$owner';
alter role pt_service password '$service';
SQL
  pt_create_db "$port" "$db"
  # The database and everything in it belong to pt_owner (a cluster made before this held them as postgres).
  psql -h 127.0.0.1 -p "$port" -U postgres -d "$db" -v ON_ERROR_STOP=1 -q >/dev/null <<'SQL'
do $$
declare r record;
begin
  execute format('alter database %I owner to pt_owner', current_database());
  for r in select c.oid::regclass as name, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f') and pg_get_userbyid(c.relowner) <> 'pt_owner' loop
    execute format('alter %s %s owner to pt_owner', case r.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table' else 'table' end, r.name);
  end loop;
  for r in select c.oid::regclass as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relkind = 'S' and pg_get_userbyid(c.relowner) <> 'pt_owner'
             and not exists (select from pg_depend d where d.objid = c.oid and d.deptype in ('a', 'i')) loop
    execute format('alter sequence %s owner to pt_owner', r.name);
  end loop;
  for r in select p.oid::regprocedure as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname = 'public' and pg_get_userbyid(p.proowner) <> 'pt_owner' loop
    execute format('alter routine %s owner to pt_owner', r.name);
  end loop;
end $$;
SQL
  export ConnectionStrings__Tracker="Host=127.0.0.1;Port=$port;Username=pt_service;Password=$service;Database=$db"
  export ConnectionStrings__TrackerOwner="Host=127.0.0.1;Port=$port;Username=pt_owner;Password=$owner;Database=$db"
}
