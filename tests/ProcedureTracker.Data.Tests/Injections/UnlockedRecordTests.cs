using ProcedureTracker.Domain.Injections;
using Dapper;
using NodaTime;
using ProcedureTracker.Application.Injections;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Data.Tests.Injections;

/// <summary>A record is judged on a read without the lock and stores only if nothing was written for the patient meanwhile.</summary>
public class UnlockedRecordTests : StoreFixture
{
    [Test]
    public async Task A_record_judged_while_another_writer_holds_the_patient_stores_nothing_and_is_judged_again_on_what_it_wrote()
    {
        await Policies.PutAsync(Org.Id, new Policy("acme", "ACME", new AnnualDate(1, 1), false, D(2026, 1, 1),
            [Rule.MaxSessions("cap", ["trigger-point-injection"], RuleScope.Patient, 2, RuleWindow.CalendarYear)]), D(2026, 1, 1), Actor);
        Assert.That(await RecordAsync(Org.Id, Injection("p-u", "2026-02-01", plan: "acme"), Actor), Is.TypeOf<RecordOutcome.Created>());

        // Another writer under the patient's lock (a batch, an import) stores the second session and has not committed.
        RecordOutcome racing;
        await using (var unit = await Injections.BeginPatientWriteAsync(Org.Id, ["p-u"], CancellationToken.None))
        {
            await unit.InsertAsync(new InjectionInsert(Guid.CreateVersion7(), Injection("p-u", "2026-03-01", plan: "acme"), [1], false, null), Actor,
                ("record", null), null, CancellationToken.None);
            // The record reads one session (the second is not committed), judges it allowed, and its store waits for the
            // writer to let go of the patient.
            var record = Task.Run(() => RecordAsync(Org.Id, Injection("p-u", "2026-04-01", plan: "acme"), Actor));
            // The race the test names must have happened: the record's store waited on the writer's lock.
            Assert.That(await WaitUntilAStoreWaitsAsync(record), Is.True, "the record's store never waited for the writer: no race was tested");
            await unit.CommitAsync(CancellationToken.None);
            racing = await record;
        }

        Assert.That(racing, Is.TypeOf<RecordOutcome.Refused>(), "judged again on the two sessions now stored");
        Assert.That((await Injections.ListAsync(Org.Id, "p-u", includeVoided: true))!.Select(r => r.DateOfService),
            Is.EqualTo(new[] { D(2026, 2, 1), D(2026, 3, 1) }));
    }

    [Test]
    public async Task Records_of_one_patient_one_after_another_move_its_write_counter_and_a_new_patient_starts_under_the_lock()
    {
        await RecordAsync(Org.Id, Injection("p-v", "2026-02-01", procedure: "nerve-block"), Actor);
        var first = await Injections.ReadForRecordAsync(Org.Id, Injection("p-v", "2026-03-01"), CancellationToken.None);
        await RecordAsync(Org.Id, Injection("p-v", "2026-03-01", procedure: "nerve-block"), Actor);
        var second = await Injections.ReadForRecordAsync(Org.Id, Injection("p-v", "2026-03-01"), CancellationToken.None);

        Assert.That(second!.WriteVersion, Is.GreaterThan(first!.WriteVersion));
        Assert.That(second.Context.History, Has.Count.EqualTo(2));
        Assert.That(await Injections.ReadForRecordAsync(Org.Id, Injection("p-none", "2026-03-01"), CancellationToken.None),
            Is.Null, "no patient row yet: the first record makes it under the lock");
        // A store judged on the older read changes nothing.
        var stale = await Injections.InsertIfUnchangedAsync(Org.Id, first, new InjectionInsert(Guid.CreateVersion7(),
            Injection("p-v", "2026-04-01", procedure: "nerve-block"), [1], false, null), Actor, ("record", null), CancellationToken.None);
        Assert.That(stale, Is.Null);
        Assert.That((await Injections.ListAsync(Org.Id, "p-v", includeVoided: true))!, Has.Count.EqualTo(2));
    }

    /// <summary>True once a record's conditional store is waiting for a lock; false when the record finished first or 20 s passed.</summary>
    private async Task<bool> WaitUntilAStoreWaitsAsync(Task record)
    {
        await using var connection = await Db.OpenAsync(CancellationToken.None);
        for (var i = 0; i < 400 && !record.IsCompleted; i++)
        {
            if (await connection.ExecuteScalarAsync<bool>(
                    "select exists(select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%write_version = $%')")) return true;
            await Task.Delay(50);
        }
        return false;
    }
}
