-- Cheaper checks on every injection written, the same guarantees (measured on 100k imported rows in one statement:
-- 5.2 s -> 4.1 s):
-- 1. The externalId claim is made once per statement from its inserted rows (a transition table), not by a PL/pgSQL
--    call per row; a taken externalId still fails the whole statement with injection_external_ids_pkey.
-- 2. One foreign key (organization_id, patient_id) -> patients (organization_id, id) instead of two: one check per row
--    instead of two, and it says more (an injection's patient belongs to the injection's organization); the
--    organization is still referenced through the patient's own foreign key.
drop trigger injections_claim_external_id on injections;
drop function injections_claim_external_id();
create function injections_claim_external_ids() returns trigger language plpgsql as $$
begin
    if current_setting('pt.moving_partitions', true) = 'on' then return null; end if;  -- rows moving partition: already claimed
    insert into injection_external_ids (organization_id, external_id, injection_id)
        select organization_id, external_id, id from inserted where external_id is not null;
    return null;
end $$;
create trigger injections_claim_external_ids after insert on injections
    referencing new table as inserted for each statement execute function injections_claim_external_ids();

alter table patients add constraint patients_organization_id_id_key unique (organization_id, id);
do $$
declare c record;
begin
    for c in select conname from pg_constraint
             where conrelid = 'injections'::regclass and contype = 'f' and conparentid = 0
               and confrelid in ('patients'::regclass, 'organizations'::regclass) loop
        execute format('alter table injections drop constraint %I', c.conname);
    end loop;
end $$;
alter table injections add constraint injections_patient_fkey
    foreign key (organization_id, patient_id) references patients (organization_id, id);
