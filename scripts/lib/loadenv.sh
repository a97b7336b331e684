# Shared by the load scripts: a throwaway cluster, the API in Release on it, and generated history.
# Sourced after scripts/lib/postgres.sh and scripts/lib/cluster.sh. Sets LOAD_DIR, LOAD_DB_PORT, LOAD_API, LOAD_CONN, LOAD_KEY.

pt_load_start() {
  LOAD_DIR="$(mktemp -d /tmp/pt-load.XXXXXX)"; chmod 755 "$LOAD_DIR"
  LOAD_DB_PORT="$(pt_free_port)"; local api_port; api_port="$(pt_free_port)"
  PT_PG_FSYNC=off pt_cluster_start "$LOAD_DIR" "$LOAD_DB_PORT"
  trap pt_load_stop EXIT
  pt_create_db "$LOAD_DB_PORT" load
  LOAD_CONN="Host=127.0.0.1;Port=$LOAD_DB_PORT;Username=postgres;Database=load;Maximum Pool Size=50"
  LOAD_KEY="load-admin-key-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  LOAD_API="http://127.0.0.1:$api_port"
  dotnet build src/ProcedureTracker.Api -c Release -nologo -v quiet >/dev/null
  ConnectionStrings__Tracker="$LOAD_CONN" PT_BOOTSTRAP_ADMIN_KEY="$LOAD_KEY" PT_BOOTSTRAP_ORG=load \
    dotnet src/ProcedureTracker.Api/bin/Release/net10.0/ProcedureTracker.Api.dll --urls "$LOAD_API" >"$LOAD_DIR/api.log" 2>&1 &
  LOAD_API_PID=$!
  for _ in $(seq 60); do curl -sf "$LOAD_API/health/ready" >/dev/null && return 0; sleep 1; done
  echo "API did not start:" >&2; cat "$LOAD_DIR/api.log" >&2; return 1
}

pt_load_stop() {
  [ -n "${LOAD_API_PID:-}" ] && kill "$LOAD_API_PID" 2>/dev/null
  wait 2>/dev/null
  pt_cluster_stop "$LOAD_DIR"; rm -rf "$LOAD_DIR"
}

pt_load_psql() { psql -h 127.0.0.1 -p "$LOAD_DB_PORT" -U postgres -d load -v ON_ERROR_STOP=1 "$@"; }

# pt_load_generate PATIENTS PER_PATIENT: history spread over five years, half with steroid, about 1 in 20 voided.
pt_load_generate() {
  local patients="$1" per="$2" start; start=$(date +%s)
  pt_load_psql -q <<SQL
insert into patients (organization_id, external_id)
select o.id, 'lp-' || g from organizations o, generate_series(1, $patients) g where o.code = 'load';
insert into injections (id, organization_id, patient_id, procedure, region, laterality, steroid_drug, steroid_dose_mg, steroid_mpe_mg,
                        date_of_service, plan, content_hash, recorded_at, voided_at, void_reason)
select gen_random_uuid(), p.organization_id, p.id,
       (array['trigger-point-injection','epidural-steroid-injection','facet-joint-injection','joint-injection'])[1 + (g + p.id) % 4],
       (array['neck','lower-back','lumbar-sacral-spine','knee'])[1 + (g * 7 + p.id) % 4],
       (array['left','right','bilateral','none'])[1 + (g * 3 + p.id) % 4],
       case when (g + p.id) % 2 = 0 then 'triamcinolone' end, case when (g + p.id) % 2 = 0 then 40 end, case when (g + p.id) % 2 = 0 then 40 end,
       date '2021-06-01' + ((p.id * 131 + g * 173) % 1825)::int,
       (array['medicare-lcd','bcbs-style','evicore-style'])[1 + p.id % 3], '\x00', now(),
       case when (g * 11 + p.id) % 20 = 0 then now() end, case when (g * 11 + p.id) % 20 = 0 then 'load test' end
from patients p cross join generate_series(1, $per) g
where p.organization_id = (select id from organizations where code = 'load');
analyze;
SQL
  echo "generated $(pt_load_psql -tAc 'select count(*) from injections') injections for $patients patients in $(( $(date +%s) - start )) s"
}
