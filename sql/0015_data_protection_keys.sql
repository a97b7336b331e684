-- ASP.NET Core Data Protection's key ring (it signs and encrypts session cookies, antiforgery tokens and flash
-- messages), kept here so every process of the service shares it: a person signed in through one process stays signed
-- in through another, and a restart on a new machine signs nobody out. Keys are XML as the framework writes them;
-- only the service role and the owner can read them. Never deleted (the framework retires keys by date).
create table data_protection_keys (
    id           bigint      generated always as identity primary key,
    friendly_name text       not null unique,
    xml          text        not null,
    created_at   timestamptz not null default now()
);
grant select, insert on data_protection_keys to proceduretracker_service;
revoke update on data_protection_keys from proceduretracker_service;
