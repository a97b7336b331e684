using System.Text;
using Dapper;
using NodaTime;
using Npgsql;
using ProcedureTracker.Application.Imports;
using ProcedureTracker.Data.Tests;

namespace ProcedureTracker.Application.Tests;

/// <summary>The import use case and its jobs, as every door runs them.</summary>
public class ImportTests
{
    private const string Header = "patientId,procedure,region,laterality,dateOfService,externalId,plan\n";

    private static MemoryStream Csv(string body) => new(Encoding.UTF8.GetBytes(Header + body));

    [Test]
    public async Task Importing_a_file_twice_stores_each_row_once_and_names_each_refused_line()
    {
        await using var host = UseCaseHost.Start(Instant.FromUtc(2026, 6, 1, 12, 0));
        var admin = await host.NewOrganizationAsync();
        const string rows = """
            imp-1,trigger-point-injection,neck,left,2026-01-10,x-1,
            imp-1,trigger-point-injection,neck,left,2026-02-10,x-2,
            imp-2,epidural-steroid-injection,lumbar-sacral-spine,left,2026-13-01,x-3,
            imp-3,trigger-point-injection,neck,left,2026-03-01,x-4,no-such-plan

            """;
        var import = host.Get<ImportFile>();

        var (first, error) = await import.RunAsync(Csv(rows), admin, null, CancellationToken.None);
        var (second, _) = await import.RunAsync(Csv(rows), admin, null, CancellationToken.None);

        Assert.That(error, Is.Null);
        Assert.That((first!.Imported, first.Unchanged, first.RejectedTotal), Is.EqualTo((2, 0, 2)));
        Assert.That(first.Rejected.Select(r => (r.Line, string.Join(",", r.Errors.Keys))), Is.EqualTo(new[] { (4, "dateOfService"), (5, "plan") }));
        Assert.That((second!.Imported, second.Unchanged, second.RejectedTotal), Is.EqualTo((0, 2, 2)), "the second run changes nothing");
    }

    [Test]
    public async Task A_file_without_a_required_column_is_refused_before_any_row()
    {
        await using var host = UseCaseHost.Start(Instant.FromUtc(2026, 6, 1, 12, 0));
        var admin = await host.NewOrganizationAsync();
        var (summary, error) = await host.Get<ImportFile>().RunAsync(
            new MemoryStream("patientId,procedure,region\np,trigger-point-injection,neck\n"u8.ToArray()), admin, null, CancellationToken.None);
        Assert.That(summary, Is.Null);
        Assert.That(error, Does.StartWith("Missing column(s): dateOfService, externalId."));
    }

    [Test]
    public async Task A_job_queued_by_a_person_is_run_by_the_worker_as_that_person()
    {
        await using var host = UseCaseHost.Start(Instant.FromUtc(2026, 6, 1, 12, 0));
        var person = Guid.NewGuid();
        var clerk = await host.NewOrganizationAsync(actor: new Actor.Person(person));
        var jobs = host.Get<ImportJobs>();
        var file = Encoding.UTF8.GetBytes(Header + "job-1,trigger-point-injection,neck,left,2026-01-10,j-1,\njob-1,trigger-point-injection,neck,right,2026-02-10,j-2,\n");

        var (job, running) = await jobs.StartAsync(clerk, "history.csv", (target, c) => target.WriteAsync(file, c).AsTask(), CancellationToken.None);
        Assert.That((job?.State, running), Is.EqualTo(("queued", (string?)null)));
        var (second, busy) = await jobs.StartAsync(clerk, "again.csv", (target, c) => target.WriteAsync(file, c).AsTask(), CancellationToken.None);
        Assert.That(second, Is.Null, "one import per organization at a time");
        Assert.That(busy, Does.Contain("history.csv"));

        var worker = host.Get<ImportWorker>();
        await worker.StartAsync(CancellationToken.None);
        ImportJob? seen = null;
        for (var i = 0; i < 100 && seen?.Done != true; i++)
        {
            await Task.Delay(100);
            seen = await jobs.FindAsync(clerk, job!.Id, CancellationToken.None);
        }
        await worker.StopAsync(CancellationToken.None);

        Assert.That((seen?.State, seen?.Summary?.Imported), Is.EqualTo(("done", (int?)2)));
        await using var db = new NpgsqlConnection(TestDatabase.ConnectionString);
        var actors = await db.QueryAsync<Guid>(
            "select distinct actor_key_id from audit_log where organization_id = @org and entity = 'injection'", new { org = clerk.Organization.Id });
        Assert.That(actors, Is.EqualTo(new[] { person }), "the audit names the person who queued the import");
    }
}
