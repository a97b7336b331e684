-- The plan of each patient's latest injection that has one (non-voided; latest by date of service, then by when it was
-- recorded), kept on the patient's row. A check or record that names no plan (CDS Hooks without coverage, many EHR
-- calls) used it from a query over every yearly partition on every call (in pgbench at 1M rows, 1.5-1.9x the cost of
-- the history read itself); now it reads one row. Kept by two statement triggers: inserted rows move it forward, and
-- a void of a row with a plan recomputes it for that patient.
alter table patients add column latest_plan text, add column latest_plan_date date, add column latest_plan_recorded_at timestamptz;

update patients p set latest_plan = l.plan, latest_plan_date = l.date_of_service, latest_plan_recorded_at = l.recorded_at
from (select distinct on (patient_id) patient_id, plan, date_of_service, recorded_at from injections
      where voided_at is null and plan is not null order by patient_id, date_of_service desc, recorded_at desc) l
where p.id = l.patient_id;

create function patients_latest_plan_after_insert() returns trigger language plpgsql as $$
begin
    if current_setting('pt.moving_partitions', true) = 'on' then return null; end if;  -- rows moving partition: no change
    update patients p set latest_plan = n.plan, latest_plan_date = n.date_of_service, latest_plan_recorded_at = n.recorded_at
    from (select distinct on (patient_id) patient_id, plan, date_of_service, recorded_at from inserted
          where voided_at is null and plan is not null order by patient_id, date_of_service desc, recorded_at desc) n
    where p.id = n.patient_id
      and (p.latest_plan is null or (n.date_of_service, n.recorded_at) >= (p.latest_plan_date, p.latest_plan_recorded_at));
    return null;
end $$;
create trigger injections_latest_plan_insert after insert on injections
    referencing new table as inserted for each statement execute function patients_latest_plan_after_insert();

create function patients_latest_plan_after_void() returns trigger language plpgsql as $$
begin
    if current_setting('pt.moving_partitions', true) = 'on' then return null; end if;
    update patients p set (latest_plan, latest_plan_date, latest_plan_recorded_at) = (
        select i.plan, i.date_of_service, i.recorded_at from injections i
        where i.organization_id = p.organization_id and i.patient_id = p.id and i.voided_at is null and i.plan is not null
        order by i.date_of_service desc, i.recorded_at desc limit 1)
    where p.id = new.patient_id;
    return null;
end $$;
-- A row trigger with a condition: statements that void nothing with a plan (every record's supersede step when it
-- supersedes nothing) never call it.
create trigger injections_latest_plan_void after update of voided_at on injections
    for each row when (old.voided_at is null and new.voided_at is not null and old.plan is not null)
    execute function patients_latest_plan_after_void();
