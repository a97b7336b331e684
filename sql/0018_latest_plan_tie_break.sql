-- patients.latest_plan is a copy, for speed, of the Domain's QuestionPlan.Latest: the plan of the latest live
-- injection that has one, by date of service, then recorded_at, then id. Rows stored by one statement (an import
-- batch) share recorded_at, so the id (UUIDv7, made in order) breaks the tie here as it does there.
alter table patients add column latest_plan_id uuid;

update patients p set latest_plan = l.plan, latest_plan_date = l.date_of_service, latest_plan_recorded_at = l.recorded_at, latest_plan_id = l.id
from (select distinct on (patient_id) patient_id, id, plan, date_of_service, recorded_at from injections
      where voided_at is null and plan is not null order by patient_id, date_of_service desc, recorded_at desc, id desc) l
where p.id = l.patient_id;

create or replace function patients_latest_plan_after_insert() returns trigger language plpgsql as $$
begin
    if current_setting('pt.moving_partitions', true) = 'on' then return null; end if;  -- rows moving partition: no change
    update patients p set latest_plan = n.plan, latest_plan_date = n.date_of_service, latest_plan_recorded_at = n.recorded_at, latest_plan_id = n.id
    from (select distinct on (patient_id) patient_id, id, plan, date_of_service, recorded_at from inserted
          where voided_at is null and plan is not null order by patient_id, date_of_service desc, recorded_at desc, id desc) n
    where p.id = n.patient_id
      and (p.latest_plan is null
           or (n.date_of_service, n.recorded_at, n.id) > (p.latest_plan_date, p.latest_plan_recorded_at, coalesce(p.latest_plan_id, '00000000-0000-0000-0000-000000000000')));
    return null;
end $$;

create or replace function patients_latest_plan_after_void() returns trigger language plpgsql as $$
begin
    if current_setting('pt.moving_partitions', true) = 'on' then return null; end if;
    update patients p set (latest_plan, latest_plan_date, latest_plan_recorded_at, latest_plan_id) = (
        select i.plan, i.date_of_service, i.recorded_at, i.id from injections i
        where i.organization_id = p.organization_id and i.patient_id = p.id and i.voided_at is null and i.plan is not null
        order by i.date_of_service desc, i.recorded_at desc, i.id desc limit 1)
    where p.id = new.patient_id;
    return null;
end $$;
