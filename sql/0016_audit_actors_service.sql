-- Audit rows written before 0013 name the all-zero id for what the service did itself at start-up (the bootstrap
-- admin account): the view names it, so every actor in the trail resolves.
create or replace view audit_actors as
    select id, organization_id, 'key: ' || name as actor from api_keys
    union all
    select id, organization_id, display_name || ' (' || username || ')' from staff_accounts
    union all
    select id, organization_id, 'CDS client: ' || issuer from cds_clients
    union all
    select '00000000-0000-0000-0000-000000000000'::uuid, null::bigint, 'the service itself (start-up)';
