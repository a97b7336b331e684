-- A person's sessions end when they sign out, are disabled, or have their password or role changed: every session
-- cookie carries the stamp its account had at sign-in, and a request whose stamp differs is refused.
alter table staff_accounts add column session_stamp uuid not null default gen_random_uuid();

-- Some security events belong to no organization: a sign-in attempt with a username nobody has, an operator's door.
alter table audit_log alter column organization_id drop not null;

-- The EHRs that call the CDS services with a JWT (configured, PT_CDS_ISSUERS), kept so that the audit trail can name
-- them: an audit row's actor is one of these, an API key or a staff account (or none: the service itself at start-up).
create table cds_clients (
    id              uuid        primary key,
    issuer          text        not null unique,
    organization_id bigint      references organizations (id),
    first_seen_at   timestamptz not null default now()
);

create or replace view audit_actors as
    select id, organization_id, 'key: ' || name as actor from api_keys
    union all
    select id, organization_id, display_name || ' (' || username || ')' from staff_accounts
    union all
    select id, organization_id, 'CDS client: ' || issuer from cds_clients;
