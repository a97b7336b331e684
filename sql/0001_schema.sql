-- ProcedureTracker schema. Every clinical table carries organization_id and every query filters on it.
-- Clinical records are never deleted: injections are voided (who, when, why) and may be superseded.

create table organizations (
    id          bigint generated always as identity primary key,
    code        text        not null unique,
    name        text        not null,
    time_zone   text        not null,               -- IANA zone; dates of service are local dates in it
    created_at  timestamptz not null default now()
);

create table api_keys (
    id              uuid        primary key,
    organization_id bigint      not null references organizations(id),
    name            text        not null,
    role            text        not null check (role in ('admin', 'clinician', 'billing', 'ehr')),
    key_hash        bytea       not null unique,    -- SHA-256 of the key; the key itself is shown once and never stored
    created_at      timestamptz not null default now(),
    revoked_at      timestamptz
);
create index api_keys_organization on api_keys (organization_id);

-- Reference data shared by all organizations (seeded from the domain's default catalog; clinics add rows).
create table procedure_types (
    code      text   primary key,
    name      text   not null,
    cpt_codes text[] not null
);
create table regions (
    code text primary key,
    name text not null
);
create table steroid_drugs (
    code               text    primary key,
    name               text    not null,
    mpe_factor         numeric not null check (mpe_factor > 0),
    max_single_dose_mg numeric not null check (max_single_dose_mg > 0)
);

create table patients (
    id              bigint generated always as identity primary key,
    organization_id bigint      not null references organizations(id),
    external_id     text        not null,           -- the EHR's patient id; no names or birth dates are kept
    created_at      timestamptz not null default now(),
    unique (organization_id, external_id)
);

create table policies (
    organization_id bigint      not null references organizations(id),
    code            text        not null,
    created_at      timestamptz not null default now(),
    primary key (organization_id, code)
);

-- One row per version; a check on date D uses the latest version whose effective_from <= D.
-- Rules are stored as jsonb: a version is an immutable snapshot that is always read and validated whole by the
-- domain (never queried rule by rule), and new rule kinds need no schema change. The API's rule JSON is the format.
create table policy_versions (
    id              bigint generated always as identity primary key,
    organization_id bigint      not null,
    policy_code     text        not null,
    version         int         not null,
    name            text        not null,
    plan_year_start text        not null check (plan_year_start ~ '^[0-1][0-9]-[0-3][0-9]$'),
    always_apply    boolean     not null,
    effective_from  date        not null,
    rules           jsonb       not null,
    created_at      timestamptz not null default now(),
    created_by      uuid,
    foreign key (organization_id, policy_code) references policies (organization_id, code),
    unique (organization_id, policy_code, version)
);
create index policy_versions_in_force on policy_versions (organization_id, policy_code, effective_from desc, version desc);

create table injections (
    id                  uuid        primary key,
    organization_id     bigint      not null references organizations(id),
    patient_id          bigint      not null references patients(id),
    procedure           text        not null references procedure_types(code),
    cpt_code            text,
    region              text        not null references regions(code),
    laterality          text        not null check (laterality in ('left', 'right', 'bilateral', 'none')),
    site_detail         text,
    steroid_drug        text        references steroid_drugs(code),
    steroid_dose_mg     numeric     check (steroid_dose_mg > 0),
    steroid_mpe_mg      numeric     check (steroid_mpe_mg > 0),
    date_of_service     date        not null,
    plan                text,
    external_id         text,
    provider_id         text,
    image_guidance      text        check (image_guidance in ('none', 'ultrasound', 'fluoroscopy', 'ct')),
    override_reason     text,
    prior_authorization text,
    overridden          boolean     not null default false,  -- stored although a rule was broken
    supersedes          uuid        references injections(id),
    superseded_by       uuid        references injections(id),
    content_hash        bytea       not null,   -- what the client sent, for idempotent retries by external_id
    recorded_at         timestamptz not null,
    recorded_by         uuid,
    voided_at           timestamptz,
    voided_by           uuid,
    void_reason         text,
    check ((steroid_drug is null) = (steroid_dose_mg is null)),
    check ((voided_at is null) = (void_reason is null))
);
-- The hot path: one patient's history by date.
create index injections_patient_date on injections (organization_id, patient_id, date_of_service);
create unique index injections_external_id on injections (organization_id, external_id) where external_id is not null;

-- Append-only: who did what to which record, when. Never request bodies.
create table audit_log (
    id              bigint generated always as identity primary key,
    organization_id bigint      not null,
    at              timestamptz not null default now(),
    actor_key_id    uuid,
    action          text        not null,
    entity          text        not null,
    entity_id       text        not null,
    detail          jsonb
);
create index audit_log_entity on audit_log (organization_id, entity, entity_id);

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_log is append-only';
end $$;
create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_append_only();

create function injections_no_delete() returns trigger language plpgsql as $$
begin
    raise exception 'injections are never deleted; void them instead';
end $$;
create trigger injections_no_delete before delete on injections
    for each row execute function injections_no_delete();
