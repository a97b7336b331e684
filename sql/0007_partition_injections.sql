-- injections range-partitioned by date of service, one partition a year (created ahead by ensure_injection_partitions,
-- which the service calls at start for this year and the next three; a default partition takes any other date), so a
-- patient's history and a year's report read only the partitions their dates reach. Existing rows migrate in place.
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
create index injections_by_id on injections (id);
create index injections_by_external_id on injections (organization_id, external_id) where external_id is not null;

-- One partition per year from first_year to last_year (idempotent). Rows already in the default partition for such a
-- year would block its creation: they are moved into it in the same step.
create function ensure_injection_partitions(first_year int, last_year int) returns void language plpgsql as $$
declare y int; name text;
begin
    for y in first_year..last_year loop
        name := 'injections_' || y;
        if to_regclass(name) is null then
            -- Moving rows between partitions is not deleting them: the triggers let this transaction through.
            perform set_config('pt.moving_partitions', 'on', true);
            create temp table if not exists moving_injections (like injections) on commit drop;
            delete from moving_injections;
            with moved as (delete from injections_default where date_of_service >= make_date(y, 1, 1) and date_of_service < make_date(y + 1, 1, 1) returning *)
            insert into moving_injections select * from moved;
            execute format('create table %I partition of injections for values from (%L) to (%L)', name, make_date(y, 1, 1), make_date(y + 1, 1, 1));
            insert into injections select * from moving_injections;
            perform set_config('pt.moving_partitions', 'off', true);
        end if;
    end loop;
end $$;

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

select ensure_injection_partitions(
    least(coalesce((select extract(year from min(date_of_service))::int from injections_unpartitioned), extract(year from now())::int), extract(year from now())::int - 10),
    extract(year from now())::int + 3);
insert into injections select * from injections_unpartitioned;
drop table injections_unpartitioned;
