-- The one definition of which policy version governs which days: each version runs from its effective_from (null: the
-- beginning of time) until the next version of its code takes over (by date; of two on one date, the later version
-- wins and the earlier governs no day). Every query that needs "the versions in force" goes through
-- policy_versions_governing: in force on D is governing(D, D); reachable by a two-year search is governing(D, D + 731).
create view policy_version_spans as
select v.*,
       lead(v.effective_from) over (partition by v.organization_id, v.policy_code order by v.effective_from nulls first, v.version) as next_from
from policy_versions v;

create function policy_versions_governing(org bigint, first_day date, last_day date)
returns setof policy_version_spans
language sql stable as $$
    select * from policy_version_spans
    where organization_id = org
      and (effective_from is null or effective_from <= last_day)
      and (next_from is null or next_from > first_day)
      and (next_from is null or effective_from is null or next_from > effective_from)
$$;
