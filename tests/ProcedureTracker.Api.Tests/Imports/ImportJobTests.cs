using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;
using ProcedureTracker.Data.Tests;

namespace ProcedureTracker.Api.Tests.Imports;

/// <summary>
/// Import jobs live in PostgreSQL (issue 22): any process of the service shows a job's progress, and a job whose
/// process stopped mid-way is finished by another, every row stored once.
/// </summary>
public class ImportJobAcrossProcessesTests
{
    private static string File(string prefix, int rows)
    {
        var csv = new StringBuilder("patientId,procedure,region,laterality,dateOfService,externalId\n");
        for (var i = 0; i < rows; i++)
            csv.Append($"{prefix}-{i % 500},trigger-point-injection,neck,{(i % 2 == 0 ? "left" : "right")},2025-{1 + i % 12:00}-{1 + i % 28:00},{prefix}-ext-{i}\n");
        return csv.ToString();
    }

    private static async Task<JsonElement> StartAsync(HttpClient client, string csv)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/imports") { Content = new StringContent(csv, Encoding.UTF8, "text/csv") };
        request.Headers.Add("Prefer", "respond-async");
        var started = await client.SendAsync(request);
        Assert.That(started.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await started.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement;
    }

    private static async Task<JsonElement> WaitAsync(HttpClient client, string id, int seconds = 120)
    {
        for (var i = 0; ; i++)
        {
            var job = JsonDocument.Parse(await client.GetStringAsync($"/v1/imports/{id}")).RootElement;
            if (job.GetProperty("state").GetString() is not ("queued" or "running") || i > seconds * 5) return job;
            await Task.Delay(200);
        }
    }

    private static async Task<(long Rows, long Distinct)> StoredAsync(string organization, string prefix)
    {
        await using var db = new NpgsqlConnection(TestDatabase.ConnectionString);
        return await db.QuerySingleAsync<(long, long)>("""
            select count(*), count(distinct i.external_id) from injections i join organizations o on o.id = i.organization_id
            where o.code = @organization and i.external_id like @prefix
            """, new { organization, prefix = prefix + "-ext-%" });
    }

    [Test]
    public async Task An_import_started_through_one_process_is_watched_to_its_end_through_another()
    {
        using var first = new ApiFactory(TestDatabase.ConnectionString);
        using var second = new ApiFactory(TestDatabase.ConnectionString, organizationCode: first.OrganizationCode);
        var prefix = "two-" + Guid.NewGuid().ToString("N")[..6];
        var job = await StartAsync(first.Admin(), File(prefix, 3000));
        var done = await WaitAsync(second.Admin(), job.GetProperty("id").GetString()!);
        Assert.That(done.GetProperty("state").GetString(), Is.EqualTo("done"), done.ToString());
        Assert.That(done.GetProperty("result").GetProperty("imported").GetInt32(), Is.EqualTo(3000));
        Assert.That(await StoredAsync(first.OrganizationCode, prefix), Is.EqualTo((3000L, 3000L)));
    }

    [Test]
    public async Task A_job_interrupted_by_its_process_stopping_is_finished_by_another_with_every_row_stored_once()
    {
        const int rows = 40_000;
        var stale = new Dictionary<string, string> { ["PT_IMPORT_STALE_SECONDS"] = "2" };
        var prefix = "kill-" + Guid.NewGuid().ToString("N")[..6];
        string organization, id;
        var dying = new ApiFactory(TestDatabase.ConnectionString, stale);
        try
        {
            organization = dying.OrganizationCode;
            id = (await StartAsync(dying.Admin(), File(prefix, rows))).GetProperty("id").GetString()!;
            // Wait until the job is part-way, then stop the process that runs it.
            for (var i = 0; i < 600; i++)
            {
                var job = JsonDocument.Parse(await dying.Admin().GetStringAsync($"/v1/imports/{id}")).RootElement;
                if (job.GetProperty("rowsHandled").GetInt32() > 0) break;
                await Task.Delay(50);
            }
        }
        finally { dying.Dispose(); }
        var (partway, _) = await StoredAsync(organization, prefix);
        Assert.That(partway, Is.GreaterThan(0).And.LessThan(rows), "the process stopped part-way through the file");

        using var survivor = new ApiFactory(TestDatabase.ConnectionString, stale, organization);
        var done = await WaitAsync(survivor.Admin(), id);
        Assert.That(done.GetProperty("state").GetString(), Is.EqualTo("done"), done.ToString());
        var result = done.GetProperty("result");
        Assert.That(result.GetProperty("imported").GetInt32() + result.GetProperty("unchanged").GetInt32(), Is.EqualTo(rows));
        Assert.That(await StoredAsync(organization, prefix), Is.EqualTo(((long)rows, (long)rows)), "every row stored, and only once");
        TestContext.Out.WriteLine($"stopped after {partway} rows; resumed: imported {result.GetProperty("imported")}, unchanged {result.GetProperty("unchanged")}");
    }
}
