using System.Net;
using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;
using ProcedureTracker.Data.Tests;

namespace ProcedureTracker.Api.Tests.Imports;

public class ImportTests : ApiTest
{
    private const string Header = "patientId,procedure,cptCode,region,laterality,detail,steroidDrug,steroidDoseMg,dateOfService,plan,externalId,providerId,imageGuidance";

    /// <summary>Each kind of bad row, with the field it must be rejected on.</summary>
    private static readonly (string Field, Func<string, int, string> Row)[] BadKinds =
    [
        ("procedure", (p, i) => $"{p},acupuncture,,neck,left,,,,2026-01-05,,bad-{p}-{i},,"),
        ("cptCode", (p, i) => $"{p},trigger-point-injection,62323,neck,left,,,,2026-01-05,,bad-{p}-{i},,"),
        ("region", (p, i) => $"{p},trigger-point-injection,,elbowpit,left,,,,2026-01-05,,bad-{p}-{i},,"),
        ("laterality", (p, i) => $"{p},trigger-point-injection,,neck,sideways,,,,2026-01-05,,bad-{p}-{i},,"),
        ("steroidDrug", (p, i) => $"{p},trigger-point-injection,,neck,left,,cortisone,10,2026-01-05,,bad-{p}-{i},,"),
        ("steroidDoseMg", (p, i) => $"{p},trigger-point-injection,,neck,left,,triamcinolone,ten,2026-01-05,,bad-{p}-{i},,"),
        ("dateOfService", (p, i) => $"{p},trigger-point-injection,,neck,left,,,,2026-02-30,,bad-{p}-{i},,"),
        ("plan", (p, i) => $"{p},trigger-point-injection,,neck,left,,,,2026-01-05,no-such-plan,bad-{p}-{i},,"),
        ("externalId", (p, i) => $"{p},trigger-point-injection,,neck,left,,,,2026-01-05,,,,"),
        ("patientId", (p, i) => $"bad patient!,trigger-point-injection,,neck,left,,,,2026-01-05,,bad-{p}-{i},,"),
    ];

    private static (string Csv, List<int> BadLines, List<string> BadFields) File(string prefix)
    {
        var lines = new List<string> { Header };
        var badLines = new List<int>();
        var badFields = new List<string>();
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var patient = $"{prefix}-{i % 97}";
            if (i % 33 == 5 && badLines.Count < 30)
            {
                var (field, row) = BadKinds[badLines.Count % BadKinds.Length];
                lines.Add(row(patient, i));
                badLines.Add(lines.Count); // the header is line 1
                badFields.Add(field);
                continue;
            }
            var date = new DateOnly(2024, 1, 1).AddDays(random.Next(0, 1000)).ToString("yyyy-MM-dd");
            var steroid = i % 3 == 0 ? "triamcinolone,40" : ",";
            // A quoted detail with a comma and a doubled quote exercises RFC 4180 parsing.
            lines.Add($"{patient},trigger-point-injection,20553,neck,{(i % 2 == 0 ? "left" : "right")},\"trapezius, \"\"upper\"\"\",{steroid},{date},medicare-lcd,{prefix}-ext-{i},1234567890,ultrasound");
        }
        return (string.Join("\r\n", lines) + "\r\n", badLines, badFields);
    }

    private async Task<JsonElement> PostCsv(HttpClient client, string csv)
    {
        var response = await client.PostAsync("/v1/imports", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await Json(response);
    }

    [Test]
    public async Task Thousand_rows_with_thirty_bad_import_970_and_a_re_import_changes_nothing()
    {
        var prefix = "imp" + Guid.NewGuid().ToString("N")[..6];
        var (csv, badLines, badFields) = File(prefix);
        Assert.That(badLines, Has.Count.EqualTo(30));
        var billing = await Factory.ClientWithRoleAsync("billing");

        var first = await PostCsv(billing, csv);
        Assert.That(first.GetProperty("imported").GetInt32(), Is.EqualTo(970));
        Assert.That(first.GetProperty("unchanged").GetInt32(), Is.EqualTo(0));
        var rejected = first.GetProperty("rejected").EnumerateArray().ToList();
        Assert.That(rejected.Select(r => r.GetProperty("line").GetInt32()), Is.EqualTo(badLines));
        Assert.That(rejected.Select(r => r.GetProperty("errors").EnumerateObject().Single().Name), Is.EqualTo(badFields));
        Assert.That(first.GetProperty("overLimit").GetArrayLength(), Is.GreaterThan(0), "ten TPIs a patient over three years break Medicare's caps");

        var history = await Json(await Admin.GetAsync($"/v1/patients/{prefix}-1/injections"));
        var one = history.GetProperty("injections")[0];
        Assert.That(one.GetProperty("site").GetProperty("detail").GetString(), Is.EqualTo("trapezius, \"upper\""));

        var again = await PostCsv(billing, csv);
        Assert.That(again.GetProperty("imported").GetInt32(), Is.EqualTo(0));
        Assert.That(again.GetProperty("unchanged").GetInt32(), Is.EqualTo(970));
        Assert.That(again.GetProperty("rejected").GetArrayLength(), Is.EqualTo(30));
    }

    [Test]
    public async Task Over_limit_history_is_imported_flagged_like_an_override()
    {
        var patient = NewPatient();
        var csv = Header + "\r\n" + string.Join("\r\n", new[] { "2026-01-05", "2026-03-05", "2026-05-05", "2026-07-05" }.Select((d, i) =>
            $"{patient},trigger-point-injection,,neck,left,,,,{d},medicare-lcd,{patient}-{i},,")) + "\r\n";
        var result = await PostCsv(Admin, csv);

        Assert.That(result.GetProperty("imported").GetInt32(), Is.EqualTo(4));
        var over = result.GetProperty("overLimit").EnumerateArray().Single();
        Assert.That(over.GetProperty("line").GetInt32(), Is.EqualTo(5));
        Assert.That(over.GetProperty("ruleIds")[0].GetString(), Is.EqualTo("medicare-lcd/tpi-12m"));
        var stored = (await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"))).GetProperty("injections");
        Assert.That(stored.EnumerateArray().Select(i => i.GetProperty("overridden").GetBoolean()), Is.EqualTo(new[] { false, false, false, true }));
    }

    [Test]
    public async Task Patients_stored_in_parallel_groups_are_judged_in_file_order_and_a_recurring_externalId_keeps_its_first_line()
    {
        // Five patients interleaved line by line: a batch is stored as parallel groups by patient (ImportHistory.Split),
        // and each patient's fourth TPI within 12 months (lines 17..21) must still be the one flagged.
        var patients = Enumerable.Range(0, 5).Select(_ => NewPatient()).ToArray();
        var dates = new[] { "2026-01-05", "2026-03-05", "2026-05-05", "2026-07-05" };
        var lines = dates.SelectMany((d, i) => patients.Select(p => $"{p},trigger-point-injection,,neck,left,,,,{d},medicare-lcd,{p}-{i},,")).ToList();
        var result = await PostCsv(Admin, Header + "\r\n" + string.Join("\r\n", lines) + "\r\n");
        Assert.That(result.GetProperty("imported").GetInt32(), Is.EqualTo(20));
        Assert.That(result.GetProperty("overLimit").EnumerateArray().Select(o => o.GetProperty("line").GetInt32()), Is.EqualTo(Enumerable.Range(17, 5)));
        foreach (var patient in patients)
        {
            var stored = (await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"))).GetProperty("injections");
            Assert.That(stored.EnumerateArray().Select(i => i.GetProperty("overridden").GetBoolean()), Is.EqualTo(new[] { false, false, false, true }), patient);
        }

        // One externalId on two patients' lines: the earlier line is stored, the later one refused, as in file order.
        var (first, second) = (NewPatient(), NewPatient());
        var shared = first + "-shared";
        var recurring = await PostCsv(Admin, Header + "\r\n" +
            $"{first},trigger-point-injection,,neck,left,,,,2026-01-05,medicare-lcd,{first}-a,,\r\n" +
            $"{second},trigger-point-injection,,neck,left,,,,2026-01-06,medicare-lcd,{second}-a,,\r\n" +
            $"{first},trigger-point-injection,,neck,left,,,,2026-02-05,medicare-lcd,{shared},,\r\n" +
            $"{second},trigger-point-injection,,neck,right,,,,2026-02-06,medicare-lcd,{shared},,\r\n");
        Assert.That(recurring.GetProperty("imported").GetInt32(), Is.EqualTo(3));
        var refused = recurring.GetProperty("rejected").EnumerateArray().Single();
        Assert.That(refused.GetProperty("line").GetInt32(), Is.EqualTo(5));
        Assert.That(refused.GetProperty("errors").EnumerateObject().Single().Name, Is.EqualTo("externalId"));
        var kept = (await Json(await Admin.GetAsync($"/v1/patients/{first}/injections"))).GetProperty("injections");
        Assert.That(kept.EnumerateArray().Select(i => i.GetProperty("externalId").GetString()), Does.Contain(shared));
    }

    [Test]
    public async Task An_import_racing_another_writer_for_one_of_its_externalIds_answers_for_every_row()
    {
        var (patient, other) = (NewPatient(), NewPatient());
        var raced = patient + "-raced";
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        // Another writer's record with that externalId (another patient, other content), stored but not yet committed.
        await connection.ExecuteAsync("""
            with p as (insert into patients (organization_id, external_id) select id, @other from organizations where code = @org returning id, organization_id)
            insert into injections (id, organization_id, patient_id, procedure, region, laterality, date_of_service, external_id, content_hash, recorded_at)
            select gen_random_uuid(), p.organization_id, p.id, 'joint-injection', 'knee', 'left', date '2026-02-01', @raced, '\x01', now() from p
            """, new { org = Factory.OrganizationCode, other, raced }, tx);

        var import = PostCsv(Admin, Header + "\r\n" +
            $"{patient},trigger-point-injection,,neck,left,,,,2026-01-05,medicare-lcd,{patient}-a,,\r\n" +
            $"{patient},trigger-point-injection,,neck,left,,,,2026-03-05,medicare-lcd,{raced},,\r\n");
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // the import's insert now waits for the other writer's claim
        await tx.CommitAsync();
        var result = await import;

        Assert.That(result.GetProperty("imported").GetInt32(), Is.EqualTo(1));
        var refused = result.GetProperty("rejected").EnumerateArray().Single();
        Assert.That(refused.GetProperty("line").GetInt32(), Is.EqualTo(3));
        Assert.That(refused.GetProperty("errors").EnumerateObject().Single().Name, Is.EqualTo("externalId"));
    }

    [Test]
    public async Task Missing_columns_wrong_content_type_and_roles_are_refused()
    {
        var noExternalId = await Admin.PostAsync("/v1/imports", new StringContent("patientId,procedure,region,dateOfService\r\np,x,y,2026-01-01\r\n", Encoding.UTF8, "text/csv"));
        Assert.That((await Json(noExternalId)).GetProperty("errors").EnumerateObject().Single().Name, Is.EqualTo("header"));
        var json = await Admin.PostAsync("/v1/imports", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.That(json.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
        Assert.That(json.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var ehr = await Factory.ClientWithRoleAsync("ehr");
        Assert.That((await ehr.PostAsync("/v1/imports", new StringContent(Header, Encoding.UTF8, "text/csv"))).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }
}

/// <summary>Imports as a server job: 202 at once, then progress and the full result at the job's address.</summary>
public class ImportJobTests : ApiTest
{
    [Test]
    public async Task An_async_import_answers_202_and_its_job_reports_progress_and_the_full_result()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var csv = new System.Text.StringBuilder("patientId,procedure,cptCode,region,laterality,detail,steroidDrug,steroidDoseMg,dateOfService,plan,externalId,providerId,imageGuidance\n");
        for (var i = 0; i < 2500; i++)
            csv.Append($"job-{suffix}-{i % 500},joint-injection,20610,knee,{(i % 2 == 0 ? "left" : "right")},,,,{new DateOnly(2025, 1, 1).AddDays(i % 360):yyyy-MM-dd},,job-{suffix}-{i},,\n");
        csv.Append($"job-{suffix}-x,joint-injection,20610,kneecap,left,,,,2025-05-05,,job-{suffix}-bad,,\n");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/imports") { Content = new StringContent(csv.ToString(), System.Text.Encoding.UTF8, "text/csv") };
        request.Headers.Add("Prefer", "respond-async");

        var accepted = await Admin.SendAsync(request);
        Assert.That(accepted.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Accepted));
        var location = accepted.Headers.Location!.ToString();
        Assert.That(location, Does.StartWith("/v1/imports/"));

        System.Text.Json.JsonElement job;
        var seen = new SortedSet<int>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            job = await Json(await Admin.GetAsync(location));
            seen.Add(job.GetProperty("rowsHandled").GetInt32());
            if (job.GetProperty("state").GetString() is "running" or "queued") await Task.Delay(20);
        } while (job.GetProperty("state").GetString() is "running" or "queued" && clock.Elapsed < TimeSpan.FromSeconds(60));

        Assert.That(job.GetProperty("state").GetString(), Is.EqualTo("done"));
        var result = job.GetProperty("result");
        Assert.That(result.GetProperty("imported").GetInt32(), Is.EqualTo(2500));
        Assert.That(result.GetProperty("rejected").EnumerateArray().Single().GetProperty("line").GetInt32(), Is.EqualTo(2502));
        Assert.That(job.GetProperty("rowsHandled").GetInt32(), Is.EqualTo(2501));
        TestContext.Out.WriteLine($"rows handled seen while polling: {string.Join(", ", seen)}");

        var billing = await Factory.ClientWithRoleAsync("clinician");
        Assert.That((await billing.GetAsync(location)).StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Forbidden));
    }
}
