using Dapper;

namespace ProcedureTracker.Data.Tests.Reports;

/// <summary>The yearly counts read a year of injections; PostgreSQL may share that work among parallel workers.</summary>
public class YearlyReportPlanTests : StoreFixture
{
    [Test]
    public async Task A_query_naming_the_plan_year_starts_of_the_policy_versions_can_run_in_parallel_workers()
    {
        await using var connection = await Db.OpenAsync(CancellationToken.None);
        await using var tx = await connection.BeginTransactionAsync();
        // Parallel scans made free (and index scans off, the test's tables being tiny), so the planner picks a parallel
        // plan whenever the query allows one: a function that is not PARALLEL SAFE does not, however cheap.
        await connection.ExecuteAsync("set local parallel_setup_cost = 0; set local parallel_tuple_cost = 0; set local min_parallel_table_scan_size = 0; set local enable_indexscan = off; set local enable_bitmapscan = off",
            transaction: tx);
        var plan = string.Join("\n", await connection.QueryAsync<string>("""
            explain (costs off)
            select i.plan, s.plan_year_start, count(*) from injections i
            left join (select distinct on (policy_code) policy_code, plan_year_start
                       from policy_versions_governing(@org, date '2026-01-01', date '2026-12-31')
                       order by policy_code, effective_from desc nulls last, version desc) s on s.policy_code = i.plan
            where i.organization_id = @org
            group by i.plan, s.plan_year_start
            """, new { org = Org.Id }, tx));
        Assert.That(plan, Does.Contain("Gather"), plan);
    }
}
