-- People who sign in to the web application (machines keep API keys). Passwords are stored as ASP.NET Core
-- PasswordHasher hashes (PBKDF2); repeated failures lock the account for a while. Accounts are disabled, never deleted.
create table staff_accounts (
    id              uuid        primary key,
    organization_id bigint      not null references organizations(id),
    username        text        not null unique,      -- sign-in name, unique across organizations
    display_name    text        not null,
    role            text        not null check (role in ('admin', 'clinician', 'billing')),
    password_hash   text        not null,
    failed_attempts int         not null default 0,
    locked_until    timestamptz,
    created_at      timestamptz not null default now(),
    created_by      uuid,
    disabled_at     timestamptz
);
create index staff_accounts_organization on staff_accounts (organization_id);

-- The audit trail names people: an actor is an API key or a staff account (both uuids).
create view audit_actors as
    select id, organization_id, 'key: ' || name as actor from api_keys
    union all
    select id, organization_id, display_name || ' (' || username || ')' from staff_accounts;
