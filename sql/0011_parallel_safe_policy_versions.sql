-- policy_versions_governing only reads policy versions, but a function is PARALLEL UNSAFE unless it says otherwise, and
-- one unsafe call keeps the whole query in one process: the yearly counts report (which names it for plan-year starts
-- even on the calendar basis) read a year of injections without parallel workers, 1.3-1.4x the time of the same
-- GROUP BY by itself. Any later CREATE OR REPLACE of it must say PARALLEL SAFE again.
alter function policy_versions_governing(bigint, date, date) parallel safe;
