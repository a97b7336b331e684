-- Least privilege: the running service connects as a login role that is a member of proceduretracker_service, which
-- holds only what the service needs. Migrations run as the schema's owner (ConnectionStrings__TrackerOwner), never as
-- the service. The service cannot delete clinical rows or audit entries, cannot change an audit entry, runs no DDL
-- except the partition upkeep (a SECURITY DEFINER function of the owner), and, not being a superuser, cannot set
-- session_replication_role to slip past the append-only and no-delete triggers.
-- The role is made here when the migrating role may (a superuser, or CREATEROLE); otherwise the operator makes it
-- first: create role proceduretracker_service nologin; (scripts/run does).
do $$
begin
    if not exists (select from pg_roles where rolname = 'proceduretracker_service') then
        create role proceduretracker_service nologin;
    end if;
end $$;

grant usage on schema public to proceduretracker_service;
grant select, insert, update on all tables in schema public to proceduretracker_service;
grant usage, select on all sequences in schema public to proceduretracker_service;
-- Tables whose rows are throwaway by design (one-time form tokens, used JWT ids) are purged by the service.
grant delete on form_submissions, cds_jwt_ids to proceduretracker_service;
-- The audit trail is appended to and read, never changed.
revoke update, delete, truncate on audit_log from proceduretracker_service;
-- Nothing goes around a parent table: no rights on partitions themselves (queries through the parent need none).
do $$
declare p regclass;
begin
    for p in select inhrelid::regclass from pg_inherits where inhparent in ('injections'::regclass, 'audit_log'::regclass) loop
        execute format('revoke all on %s from proceduretracker_service', p);
    end loop;
end $$;
-- Tables later migrations make get the same rights (they are made by the role running this).
alter default privileges in schema public grant select, insert, update on tables to proceduretracker_service;
alter default privileges in schema public grant usage, select on sequences to proceduretracker_service;

-- The partition upkeep runs as the owner (ensure_yearly_partitions of 0007 does the work), and partitions give the
-- service no rights of their own: new ones would get the default privileges above.
create or replace function ensure_partitions(first_year int, last_year int) returns void
language plpgsql security definer set search_path = public, pg_temp as $$
declare p regclass;
begin
    perform ensure_yearly_partitions('injections', 'date_of_service', first_year, last_year);
    perform ensure_yearly_partitions('audit_log', 'at', first_year, last_year);
    for p in select inhrelid::regclass from pg_inherits where inhparent in ('injections'::regclass, 'audit_log'::regclass) loop
        execute format('revoke all on %s from proceduretracker_service', p);
    end loop;
end $$;
revoke all on function ensure_yearly_partitions(text, text, int, int) from public;
revoke all on function ensure_partitions(int, int) from public;
grant execute on function ensure_partitions(int, int) to proceduretracker_service;
