-- A job runs later, in whichever process claims it, as the caller who queued it: the kind of actor (an API key or a
-- signed-in person) is kept beside its id so the audit and the job's caller name the same kind.
alter table import_jobs add column actor_kind text not null default 'key' check (actor_kind in ('key', 'person', 'ehr', 'service'));
