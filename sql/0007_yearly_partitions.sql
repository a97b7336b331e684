-- injections range-partitioned by date of service and audit_log by the time of the entry, one partition a year (made
-- ahead by ensure_yearly_partitions, which the service runs at start and daily for this year and the next; a default
-- partition takes any other date), so a patient's history and a year's report read only the partitions their dates
-- reach. Existing rows migrate in place.
-- A unique index on a partitioned table must include the partition key, so an organization's externalIds are claimed in
-- injection_external_ids (one row each, written by a trigger in the same transaction); supersede links are checked by the
-- record use case (a foreign key cannot reference a partitioned table's id alone).
alter table injections rename to injections_unpartitioned;
drop trigger injections_no_delete on injections_unpartitioned;
alter index injections_patient_date rename to injections_unpartitioned_patient_date;
alter index injections_external_id rename to injections_unpartitioned_external_id;
alter index injections_organization_date rename to injections_unpartitioned_organization_date;
alter table injections_unpartitioned rename constraint injections_pkey to injections_unpartitioned_pkey;

create table injections (
    id                  uuid        not null,
    organization_id     bigint      not null references organizations(id),
    patient_id          bigint      not null references patients(id),
    procedure           text        not null references procedure_types(code),
    cpt_code            text,
    region              text        not null references regions(code),
    laterality          text        not null check (laterality in ('left', 'right', 'bilateral', 'none')),
    site_detail         text,
    steroid_drug        text        references steroid_drugs(code),
    steroid_dose_mg     numeric     check (steroid_dose_mg > 0),
    steroid_mpe_mg      numeric     check (steroid_mpe_mg > 0),
    date_of_service     date        not null,
    plan                text,
    external_id         text,
    provider_id         text,
    image_guidance      text        check (image_guidance in ('none', 'ultrasound', 'fluoroscopy', 'ct')),
    override_reason     text,
    prior_authorization text,
    overridden          boolean     not null default false,
    supersedes          uuid,
    superseded_by       uuid,
    content_hash        bytea       not null,
    recorded_at         timestamptz not null,
    recorded_by         uuid,
    voided_at           timestamptz,
    voided_by           uuid,
    void_reason         text,
    check ((steroid_drug is null) = (steroid_dose_mg is null)),
    check ((voided_at is null) = (void_reason is null)),
    primary key (id, date_of_service)
) partition by range (date_of_service);
create table injections_default partition of injections default;
create index injections_patient_date on injections (organization_id, patient_id, date_of_service);
create index injections_organization_date on injections (organization_id, date_of_service) where voided_at is null;
-- A lookup by id alone uses the primary key's leading column.
create index injections_by_external_id on injections (organization_id, external_id) where external_id is not null;

-- One partition per year of parent (partitioned on key) from first_year to last_year, bounds at midnight UTC (idempotent).
-- Rows already in the default partition for such a year would block its creation: they move into it in the same step.
create function ensure_yearly_partitions(parent text, key text, first_year int, last_year int) returns void language plpgsql as $$
declare y int; name text; low text; high text;
begin
    -- One maker at a time across every process (two would race to create the same partition).
    perform pg_advisory_xact_lock(hashtext('pt.partitions'));
    for y in first_year..last_year loop
        name := parent || '_' || y;
        if to_regclass(name) is null then
            low := y || '-01-01 00:00:00+00';
            high := (y + 1) || '-01-01 00:00:00+00';
            -- Moving rows between partitions is not deleting them: the no-delete triggers let this transaction through.
            perform set_config('pt.moving_partitions', 'on', true);
            execute format('create temp table moving_rows (like %I) on commit drop', parent);
            execute format('with moved as (delete from %I where %I >= %L and %I < %L returning *) insert into moving_rows select * from moved',
                           parent || '_default', key, low, key, high);
            execute format('create table %I partition of %I for values from (%L) to (%L)', name, parent, low, high);
            execute format('insert into %I overriding system value select * from moving_rows', parent);
            drop table moving_rows;
            perform set_config('pt.moving_partitions', 'off', true);
        end if;
    end loop;
end $$;

-- Both partitioned tables, for a span of years (what the service runs at start and daily, and an operator may run for any span).
create function ensure_partitions(first_year int, last_year int) returns void language sql as $$
    select ensure_yearly_partitions('injections', 'date_of_service', first_year, last_year);
    select ensure_yearly_partitions('audit_log', 'at', first_year, last_year);
$$;

create table injection_external_ids (
    organization_id bigint not null,
    external_id     text   not null,
    injection_id    uuid   not null,
    primary key (organization_id, external_id)
);
create function injections_claim_external_id() returns trigger language plpgsql as $$
begin
    if current_setting('pt.moving_partitions', true) = 'on' then return new; end if;  -- already claimed
    insert into injection_external_ids (organization_id, external_id, injection_id) values (new.organization_id, new.external_id, new.id);
    return new;
end $$;
create trigger injections_claim_external_id before insert on injections
    for each row when (new.external_id is not null) execute function injections_claim_external_id();
create or replace function injections_no_delete() returns trigger language plpgsql as $$
begin
    if current_setting('pt.moving_partitions', true) = 'on' then return old; end if;  -- a row moving to its year's partition
    raise exception 'injections are never deleted; void them instead';
end $$;
create trigger injections_no_delete before delete on injections for each row execute function injections_no_delete();

-- audit_log the same way: the primary key takes the partition key; entries stay append-only.
alter table audit_log rename to audit_log_unpartitioned;
drop trigger audit_log_no_update on audit_log_unpartitioned;
alter index audit_log_entity rename to audit_log_unpartitioned_entity;
alter table audit_log_unpartitioned rename constraint audit_log_pkey to audit_log_unpartitioned_pkey;
create table audit_log (
    id              bigint generated always as identity,
    organization_id bigint      not null,
    at              timestamptz not null default now(),
    actor_key_id    uuid,
    action          text        not null,
    entity          text        not null,
    entity_id       text        not null,
    detail          jsonb,
    primary key (id, at)
) partition by range (at);
create table audit_log_default partition of audit_log default;
create index audit_log_entity on audit_log (organization_id, entity, entity_id);
create or replace function audit_log_append_only() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' and current_setting('pt.moving_partitions', true) = 'on' then return old; end if;  -- moving to its year's partition
    raise exception 'audit_log is append-only';
end $$;
create trigger audit_log_no_update before update or delete on audit_log for each row execute function audit_log_append_only();

-- Partitions for every year holding data through next year (a generic plan locks every partition: make no more than needed).
select ensure_yearly_partitions('injections', 'date_of_service',
    least(coalesce((select extract(year from min(date_of_service))::int from injections_unpartitioned), extract(year from now())::int),
          extract(year from now())::int),
    greatest(coalesce((select extract(year from max(date_of_service))::int from injections_unpartitioned), 0), extract(year from now())::int + 1));
select ensure_yearly_partitions('audit_log', 'at',
    least(coalesce((select extract(year from min(at at time zone 'UTC'))::int from audit_log_unpartitioned), extract(year from now())::int),
          extract(year from now())::int),
    extract(year from now())::int + 1);
insert into injections select * from injections_unpartitioned;
insert into audit_log overriding system value select * from audit_log_unpartitioned;
select setval(pg_get_serial_sequence('audit_log', 'id'), coalesce((select max(id) from audit_log_unpartitioned), 0) + 1, false);
drop table injections_unpartitioned;
drop table audit_log_unpartitioned;
-- Fresh statistics for the new tables (the planner would otherwise plan the first checks and imports blind).
analyze injections;
analyze audit_log;
analyze injection_external_ids;
