-- A policy's first version may govern from the beginning of time (DOMAIN.md "Policy versions"): effective_from is
-- null for it when no date was given. Ordering by date puts such a version first (nulls first ascending, nulls last
-- descending); the index follows the "in force" order.
alter table policy_versions alter column effective_from drop not null;
drop index if exists policy_versions_in_force;
create index policy_versions_in_force on policy_versions (organization_id, policy_code, effective_from desc nulls last, version desc);
