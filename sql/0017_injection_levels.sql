-- The levels treated in a session (spinal levels or joints; bilateral at one level is one level): payers cap levels
-- per session (DOMAIN.md "Documented response and per-session rules"). Records made before this knew none: one level.
alter table injections add column levels smallint not null default 1;
alter table injections add constraint injections_levels check (levels between 1 and 10);
