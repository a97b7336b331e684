-- Billing reports: yearly counts scan one organization's injections by date of service.
create index injections_organization_date on injections (organization_id, date_of_service) where voided_at is null;

-- The first day of the plan year starting in `year` for a month-day 'MM-dd'; 02-29 falls on 02-28 in common years
-- (as NodaTime's AnnualDate.InYear, which the engine uses).
create function plan_year_start_in(year int, month_day text) returns date
language sql immutable strict parallel safe as $$
    select make_date(year, substr(month_day, 1, 2)::int,
        least(substr(month_day, 4, 2)::int,
              extract(day from (make_date(year, substr(month_day, 1, 2)::int, 1) + interval '1 month - 1 day'))::int))
$$;
