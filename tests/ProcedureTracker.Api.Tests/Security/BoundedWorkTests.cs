using System.Net;
using System.Text;
using System.Text.Json;
using ProcedureTracker.Data.Tests;

namespace ProcedureTracker.Api.Tests.Security;

/// <summary>
/// Work per request is bounded (issue 21): a file of bad rows answers in bounded memory with the first lines and the
/// total, a file past the limit is 413, and one import runs per organization.
/// </summary>
public class BoundedWorkTests : ApiTest
{
    private const string Header = "patientId,procedure,cptCode,region,laterality,detail,steroidDrug,steroidDoseMg,dateOfService,plan,externalId,providerId,imageGuidance";

    /// <summary>A CSV body generated as it is sent: about <paramref name="megabytes"/> MB of rows whose procedure nobody knows.</summary>
    private static (HttpContent Content, int Rows) BadRows(int megabytes)
    {
        const string row = "p-bad,acupuncture-of-the-soul,,neck,left,some detail text here,,,2026-01-05,,ext-{0},1234567890,ultrasound\n";
        var rows = megabytes * 1024 * 1024 / (row.Length + 3);
        var stream = new MemoryStream();
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true))
        {
            writer.Write(Header + "\n");
            for (var i = 0; i < rows; i++) writer.Write(row, i);
        }
        stream.Position = 0;
        var content = new StreamContent(stream);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        return (content, rows);
    }

    [Test]
    public async Task Twenty_megabytes_of_bad_rows_answer_the_first_thousand_and_the_total_in_bounded_memory()
    {
        var (content, rows) = BadRows(20);
        GC.Collect();
        var baseline = GC.GetTotalMemory(true);
        long peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
                await Task.Delay(20);
            }
        });
        var response = await Admin.PostAsync("/v1/imports", content);
        var text = await response.Content.ReadAsStringAsync();
        await sampling.CancelAsync();
        await sampler;

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text[..Math.Min(500, text.Length)]);
        var answer = JsonDocument.Parse(text).RootElement;
        Assert.That(answer.GetProperty("rejected").GetArrayLength(), Is.EqualTo(1000));
        Assert.That(answer.GetProperty("rejectedTotal").GetInt32(), Is.EqualTo(rows));
        Assert.That(answer.GetProperty("imported").GetInt32(), Is.Zero);
        var grown = (peak - baseline) / 1024 / 1024;
        TestContext.Out.WriteLine($"{rows} bad rows (20 MB): answer {text.Length / 1024} KB, managed heap grew at most {grown} MB");
        // The test's own 20 MB body is in this process's heap too (the in-memory server shares it).
        Assert.That(grown, Is.LessThan(200), "a bad file must not cost memory in proportion to its bad rows");
        Assert.That(text.Length, Is.LessThan(1024 * 1024));
    }

    [Test]
    public async Task A_file_past_the_import_limit_is_413_and_stores_nothing()
    {
        using var factory = new ApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string> { ["PT_IMPORT_MAX_MB"] = "1" });
        var (content, _) = BadRows(2);
        var response = await factory.Admin().PostAsync("/v1/imports", content);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("1 MB"));
    }

    [Test]
    public async Task A_second_import_while_one_runs_is_409_naming_the_running_one()
    {
        var (first, _) = BadRows(45);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/imports") { Content = first };
        request.Headers.Add("Prefer", "respond-async");
        var started = await Admin.SendAsync(request);
        Assert.That(started.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var job = (await Json(started)).GetProperty("id").GetString()!;

        var (small, _) = BadRows(0);
        var second = await Admin.PostAsync("/v1/imports", small);
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "a second import while the first runs");
        Assert.That(await second.Content.ReadAsStringAsync(), Does.Contain(job), "the refusal names the running import");

        for (var i = 0; i < 600 && (await Json(await Admin.GetAsync($"/v1/imports/{job}"))).GetProperty("state").GetString() is "running" or "queued"; i++)
            await Task.Delay(100);
        var (after, _) = BadRows(0);
        Assert.That((await Admin.PostAsync("/v1/imports", after)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the lock goes with the finished import");
    }

    [Test]
    public async Task An_import_running_in_another_process_makes_a_second_one_409()
    {
        // Another process of the service holds the organization's import lock (the database's advisory lock).
        await using var other = new Npgsql.NpgsqlConnection(TestDatabase.ConnectionString + ";Pooling=false");
        await other.OpenAsync();
        await using (var take = new Npgsql.NpgsqlCommand("select pg_advisory_lock(7001, (select id::int from organizations where code = @code))", other))
        {
            take.Parameters.AddWithValue("code", Factory.OrganizationCode);
            await take.ExecuteNonQueryAsync();
        }
        var (small, _) = BadRows(0);
        var refused = await Admin.PostAsync("/v1/imports", small);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("another server"));
        await other.CloseAsync();
        // The server ends that backend (and its lock) a moment after the connection closes.
        var status = HttpStatusCode.Conflict;
        for (var i = 0; i < 50 && status == HttpStatusCode.Conflict; i++)
        {
            if (i > 0) await Task.Delay(100);
            var (again, _) = BadRows(0);
            status = (await Admin.PostAsync("/v1/imports", again)).StatusCode;
        }
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), "the lock goes with that process's connection");
    }

    [Test]
    public async Task An_unclosed_quote_does_not_swallow_the_file()
    {
        var csv = Header + "\np-q,trigger-point-injection,,neck,left,\"never closed,,,2026-01-05,,q-1,,\n" + string.Concat(Enumerable.Repeat("x,y,z\n", 5000));
        var response = await Admin.PostAsync("/v1/imports", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("never closed").Or.Contain("longer than"));
    }
}
