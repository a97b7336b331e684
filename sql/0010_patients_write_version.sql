-- A counter on each patient's row that every write of the patient's injections moves on, so a record can be checked
-- and stored without holding a transaction open across the check: it reads the history and the counter, judges, and
-- stores in one statement only if the counter is still what it read (the update of the patient's row waits for any
-- writer holding it, then sees its new value, so a record judged on a history another writer has since changed stores
-- nothing and is judged again). Units that hold the patient's advisory lock (imports, batches, corrections, a first
-- record) move the counter when they take the lock, before they read: a record judged before such a unit committed
-- cannot store after it.
alter table patients add column write_version bigint not null default 0;
