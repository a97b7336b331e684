-- Imports run as jobs kept here, not in one process's memory: any process of the service shows a job's progress, and
-- a job whose process died (its heartbeat stops) is taken up again by another and run to its end. Re-running is safe:
-- every row has an externalId, so rows stored before the interruption count as unchanged, never twice.
create table import_jobs (
    id              uuid        primary key,
    organization_id bigint      not null references organizations (id),
    actor           uuid        not null,
    role            text        not null,
    door            text        not null,
    file_name       text        not null,
    file            bytea,                  -- the upload (at most PT_IMPORT_MAX_MB), cleared when the job ends
    state           text        not null check (state in ('queued', 'running', 'done', 'refused', 'failed')),
    rows_handled    integer     not null default 0,
    result          jsonb,
    error           text,
    attempts        integer     not null default 0,
    created_at      timestamptz not null default now(),
    heartbeat_at    timestamptz,
    finished_at     timestamptz
);
-- One import per organization at a time, across every process.
create unique index import_jobs_one_active on import_jobs (organization_id) where state in ('queued', 'running');
create index import_jobs_waiting on import_jobs (created_at) where state in ('queued', 'running');
