using NodaTime;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Application.Injections;
using Dapper;
using Npgsql;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Data.Tests.Injections;

public class InjectionStoreTests : StoreFixture
{
    [Test]
    public async Task New_organization_gets_the_default_policies_and_the_clinic_protocol_always_applies()
    {
        var policies = await Policies.ListAsync(Org.Id, D(2026, 6, 1));
        Assert.That(policies.Select(p => p.Policy.Code), Is.EquivalentTo(DefaultPolicies.All.Select(p => p.Code)));

        var context = await Injections.LoadContextAsync(Org.Id, "p-1", "medicare-lcd", D(2026, 6, 1));
        Assert.That(context.Policies.Select(p => p.Code), Is.EquivalentTo(new[] { "medicare-lcd", "clinic-steroid-protocol" }));
    }

    [Test]
    public async Task Check_uses_the_policy_version_in_force_on_the_date()
    {
        var v1 = new Policy("acme", "ACME", new NodaTime.AnnualDate(1, 1), false, D(2026, 1, 1),
            [Rule.MaxSessions("cap", ["trigger-point-injection"], RuleScope.Patient, 1, RuleWindow.CalendarYear)]);
        await Policies.PutAsync(Org.Id, v1, D(2026, 1, 1), Actor);
        await Policies.PutAsync(Org.Id, new Policy("acme", "ACME", new NodaTime.AnnualDate(1, 1), false, D(2026, 7, 1),
            [Rule.MaxSessions("cap", ["trigger-point-injection"], RuleScope.Patient, 3, RuleWindow.CalendarYear)]), D(2026, 1, 1), Actor);
        Assert.That(await RecordAsync(Org.Id, Injection("p-1", "2026-02-01", plan: "acme"), Actor), Is.TypeOf<RecordOutcome.Created>());

        var june = await RecordAsync(Org.Id, Injection("p-1", "2026-06-30", plan: "acme"), Actor);
        var july = await RecordAsync(Org.Id, Injection("p-1", "2026-07-01", plan: "acme"), Actor);
        Assert.That(june, Is.TypeOf<RecordOutcome.Refused>());
        Assert.That(july, Is.TypeOf<RecordOutcome.Created>());
        Assert.That((await Policies.GetAsync(Org.Id, "acme", D(2026, 6, 30)))!.Version, Is.EqualTo(1));
        Assert.That((await Policies.GetAsync(Org.Id, "acme", D(2026, 7, 1)))!.Version, Is.EqualTo(2));
    }

    [Test]
    public async Task History_read_for_a_check_is_bounded_by_the_longest_reach_of_the_rules_in_force()
    {
        foreach (var date in new[] { "2019-05-01", "2025-05-31", "2025-06-02", "2026-05-20", "2029-06-01", "2031-06-01" })
            await RecordAsync(Org.Id, Injection("p-bound", date, procedure: "nerve-block", overrideReason: "history"), Actor);

        // medicare-lcd + the clinic protocol: longest min-interval is 182 days, so a year (366 days) is the reach back.
        var context = await Injections.LoadContextAsync(Org.Id, "p-bound", "medicare-lcd", D(2026, 6, 1));
        Assert.That(context.History.Select(r => r.DateOfService.ToString("yyyy-MM-dd", null)),
            Is.EqualTo(new[] { "2025-05-31", "2025-06-02", "2026-05-20", "2029-06-01" }));
    }

    [Test]
    public async Task The_store_reads_exactly_the_history_range_the_domain_says_a_check_needs()
    {
        // Records one day outside and on each edge of the Domain's range: the store keeps exactly the edges, whatever
        // the Domain's formula becomes.
        var date = D(2026, 6, 1);
        var needed = EligibilityEvaluator.HistoryNeeded(date, await Policies.AllVersionsAsync(Org.Id));
        LocalDate[] edges = [needed.Start.PlusDays(-1), needed.Start, needed.End, needed.End.PlusDays(1)];
        foreach (var edge in edges)
            await RecordAsync(Org.Id, Injection("p-edges", edge.ToString("yyyy-MM-dd", null), procedure: "nerve-block", overrideReason: "history"), Actor);

        var context = await Injections.LoadContextAsync(Org.Id, "p-edges", "medicare-lcd", date);
        Assert.That(context.History.Select(r => r.DateOfService), Is.EqualTo(new[] { needed.Start, needed.End }),
            $"the Domain's range is {needed.Start}..{needed.End}");
    }

    [Test]
    public async Task Supersedes_voids_the_old_record_in_the_same_step_and_it_stops_counting()
    {
        var first = (RecordOutcome.Created)await RecordAsync(Org.Id, Injection("p-2", "2026-03-02", region: "neck"), Actor);
        var fixedUp = await RecordAsync(Org.Id, Injection("p-2", "2026-03-02", region: "shoulder", supersedes: first.Injection.Id), Actor);
        Assert.That(fixedUp, Is.TypeOf<RecordOutcome.Created>());

        var all = (await Injections.ListAsync(Org.Id, "p-2", includeVoided: true))!;
        var old = all.Single(r => r.Id == first.Injection.Id);
        Assert.That(old.VoidedAt, Is.Not.Null);
        Assert.That(old.SupersededBy, Is.EqualTo(((RecordOutcome.Created)fixedUp).Injection.Id));
        Assert.That((await Injections.ListAsync(Org.Id, "p-2", includeVoided: false))!.Select(r => r.Region), Is.EqualTo(new[] { "shoulder" }));
        Assert.That(await RecordAsync(Org.Id, Injection("p-2", "2026-03-03", supersedes: first.Injection.Id), Actor),
            Is.TypeOf<RecordOutcome.Conflict>(), "an already voided record cannot be superseded again");
    }

    [Test]
    public async Task Void_is_audited_and_a_second_void_is_refused()
    {
        var created = (RecordOutcome.Created)await RecordAsync(Org.Id, Injection("p-3", "2026-03-02"), Actor);
        Assert.That((await Injections.VoidAsync(Org.Id, "p-3", created.Injection.Id, "wrong patient", Actor)).Outcome, Is.EqualTo(VoidOutcome.Voided));
        Assert.That((await Injections.VoidAsync(Org.Id, "p-3", created.Injection.Id, "again", Actor)).Outcome, Is.EqualTo(VoidOutcome.AlreadyVoided));
        Assert.That((await Injections.VoidAsync(Org.Id, "someone-else", created.Injection.Id, "x", Actor)).Outcome, Is.EqualTo(VoidOutcome.NotFound));

        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        var actions = await connection.QueryAsync<string>(
            "select action from audit_log where organization_id = @org and entity = 'injection' and entity_id = @id order by id",
            new { org = Org.Id, id = created.Injection.Id.ToString() });
        Assert.That(actions, Is.EqualTo(new[] { "record", "void" }));
    }

    [Test]
    public async Task Same_external_id_for_another_patient_is_a_conflict_and_identical_content_replays()
    {
        var first = await RecordAsync(Org.Id, Injection("p-4", "2026-03-02", externalId: "ehr-1"), Actor);
        var again = await RecordAsync(Org.Id, Injection("p-4", "2026-03-02", externalId: "ehr-1"), Actor);
        var other = await RecordAsync(Org.Id, Injection("p-5", "2026-03-02", externalId: "ehr-1"), Actor);

        Assert.That(first, Is.TypeOf<RecordOutcome.Created>());
        Assert.That(((RecordOutcome.Replayed)again).Injection.Id, Is.EqualTo(((RecordOutcome.Created)first).Injection.Id));
        Assert.That(other, Is.TypeOf<RecordOutcome.Conflict>());
    }

    [Test]
    public async Task Unknown_plan_is_reported_on_the_plan_field_and_nothing_is_stored()
    {
        var outcome = await RecordAsync(Org.Id, Injection("p-6", "2026-03-02", plan: "no-such-plan"), Actor);
        Assert.That(outcome, Is.EqualTo(new RecordOutcome.Invalid("plan", "Unknown plan 'no-such-plan'.")));
        Assert.That(await Injections.ListAsync(Org.Id, "p-6", includeVoided: true), Is.Null);
    }
}
/// <summary>Different patients do not share a lock: their race for one externalId is settled by its claim.</summary>
public class ExternalIdRaceTests : StoreFixture
{
    [Test]
    public async Task Ten_patients_racing_for_one_external_id_store_one_record_and_the_others_hear_conflict()
    {
        var externalId = "race-" + Guid.NewGuid();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Task.Run(() => RecordAsync(Org.Id, Injection($"p-race-{i}", "2026-02-01", procedure: "nerve-block", externalId: externalId), Actor))));
        Assert.That(outcomes.Count(o => o is RecordOutcome.Created), Is.EqualTo(1));
        Assert.That(outcomes.Count(o => o is RecordOutcome.Conflict), Is.EqualTo(9), string.Join(", ", outcomes.Select(o => o.GetType().Name)));
        await using var connection = await Db.OpenAsync(default);
        Assert.That(await Dapper.SqlMapper.QuerySingleAsync<long>(connection,
            "select count(*) from injections where organization_id = @org and external_id = @externalId", new { org = Org.Id, externalId }), Is.EqualTo(1));
    }
}

/// <summary>injections and audit_log are partitioned by year; a date beyond the partitions made ahead lands in the default one and moves on.</summary>
public class PartitionTests : StoreFixture
{
    [Test]
    public async Task A_past_year_gets_its_partition_on_demand_and_a_far_future_row_waits_in_the_default_one_until_its_year_is_made()
    {
        await using var connection = await Db.OpenAsync(default);
        async Task<string> Where(RecordOutcome outcome) => await Dapper.SqlMapper.QuerySingleAsync<string>(connection,
            "select tableoid::regclass::text from injections where id = @id", new { id = ((RecordOutcome.Created)outcome).Injection.Id });

        var old = await RecordAsync(Org.Id, Injection("p-old", "1990-06-01", procedure: "nerve-block"), Actor);
        Assert.That(await Where(old), Is.EqualTo("injections_1990"), "imported history gets its year's partition before it is written");

        var far = await RecordAsync(Org.Id, Injection("p-far", "2150-06-01", procedure: "nerve-block", externalId: "far-" + Guid.NewGuid()), Actor);
        Assert.That(far, Is.TypeOf<RecordOutcome.Created>());
        Assert.That(await Where(far), Is.EqualTo("injections_default"), "a year after next makes no partition of its own");
        await Dapper.SqlMapper.ExecuteAsync(connection, "select ensure_partitions(2150, 2150)");
        Assert.That(await Where(far), Is.EqualTo("injections_2150"), "moved, not lost");

        var again = await RecordAsync(Org.Id, Injection("p-far", "2150-06-01", procedure: "nerve-block",
            externalId: ((RecordOutcome.Created)far).Injection.ExternalId), Actor);
        Assert.That(again, Is.TypeOf<RecordOutcome.Replayed>(), "the external id stays claimed after the move");
        Assert.ThrowsAsync<Npgsql.PostgresException>(() => Dapper.SqlMapper.ExecuteAsync(connection, "delete from injections where patient_id is not null"),
            "deleting is still refused");
        Assert.ThrowsAsync<Npgsql.PostgresException>(() => Dapper.SqlMapper.ExecuteAsync(connection, "delete from audit_log where id is not null"),
            "the audit log stays append-only");
    }

    [Test]
    public async Task Audit_entries_land_in_this_years_partition_and_a_history_read_is_pruned_to_the_years_it_reaches()
    {
        var created = await RecordAsync(Org.Id, Injection("p-audit", "2026-02-01", procedure: "nerve-block", externalId: "aud-" + Guid.NewGuid()), Actor);
        var id = ((RecordOutcome.Created)created).Injection.Id;
        await using var connection = await Db.OpenAsync(default);
        var partition = await Dapper.SqlMapper.QuerySingleAsync<string>(connection,
            "select tableoid::regclass::text from audit_log where entity_id = @id", new { id = id.ToString() });
        // The database stamps audit rows, so "this year" is the database's.
        var year = await Dapper.SqlMapper.QuerySingleAsync<int>(connection, "select extract(year from now())::int");
        Assert.That(partition, Is.EqualTo($"audit_log_{year}"));

        await Dapper.SqlMapper.ExecuteAsync(connection, "select ensure_partitions(2024, 2028)");
        var plan = string.Join("\n", await Dapper.SqlMapper.QueryAsync<string>(connection,
            "explain (costs off) select id from injections where organization_id = @org and date_of_service >= '2026-01-01' and date_of_service <= '2026-12-31'",
            new { org = Org.Id }));
        Assert.That(plan, Does.Contain("injections_2026"));
        Assert.That(plan, Does.Not.Contain("injections_2025").And.Not.Contain("injections_default"));
    }
}
