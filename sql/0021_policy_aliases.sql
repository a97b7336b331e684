-- The names an EHR's Coverage may give a plan ("Medicare Part B", "MEDICARE-B"): a CDS call or a FHIR write matches
-- them, case-insensitively, with the policy's code. They belong to a version like its rules.
alter table policy_versions add column aliases text[] not null default '{}';

-- The spans view lists the versions' columns as they were when it was made: made again with the new column, and the
-- function over it with it (PARALLEL SAFE, as 0011 explains).
drop function policy_versions_governing(bigint, date, date);
drop view policy_version_spans;
create view policy_version_spans as
select v.*,
       lead(v.effective_from) over (partition by v.organization_id, v.policy_code order by v.effective_from nulls first, v.version) as next_from
from policy_versions v;

create function policy_versions_governing(org bigint, first_day date, last_day date)
returns setof policy_version_spans
language sql stable parallel safe as $$
    select * from policy_version_spans
    where organization_id = org
      and (effective_from is null or effective_from <= last_day)
      and (next_from is null or next_from > first_day)
      and (next_from is null or effective_from is null or next_from > effective_from)
$$;
