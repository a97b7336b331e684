using Dapper;
using NodaTime;
using Npgsql;
using ProcedureTracker.Domain.Eligibility;

namespace ProcedureTracker.Data.Tests.Agreement;

/// <summary>
/// <c>patients.latest_plan</c> (triggers, sql/0018) is a copy of <see cref="QuestionPlan.Latest"/> kept for speed. Over
/// thousands of random histories (several rows per statement as an import writes them, shared dates and record times,
/// voids in any order) the copy must equal the Domain's answer after every step; a change to either side alone fails.
/// </summary>
public class LatestPlanAgreementTests
{
    private const int Cases = 2000;

    [Test]
    public async Task The_sql_copy_of_the_latest_plan_equals_the_domain_s_over_random_histories()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("PT_AGREEMENT_SEED"), out var s) ? s : 21;
        var random = new Random(seed);
        await using var db = new NpgsqlConnection(TestDatabase.ConnectionString);
        await db.OpenAsync();
        var org = await db.ExecuteScalarAsync<long>(
            "insert into organizations (code, name, time_zone) values (@code, 'agreement', 'UTC') returning id", new { code = TestDatabase.NewOrganizationCode() });
        string?[] plans = [null, "plan-a", "plan-b", "plan-c"];
        var baseTime = Instant.FromUtc(2026, 1, 1, 0, 0);
        var mismatches = new List<string>();
        var steps = 0;

        for (var c = 0; c < Cases && mismatches.Count < 5; c++)
        {
            var patient = await db.ExecuteScalarAsync<long>(
                "insert into patients (organization_id, external_id) values (@org, @ext) returning id", new { org, ext = $"agree-{c}" });
            var ids = new List<Guid>();
            for (var op = random.Next(1, 7); op > 0; op--)
            {
                if (ids.Count > 0 && random.Next(3) == 0)
                {
                    // Voids as the service makes them: one row at a time (any row, with or without a plan, once).
                    var id = ids[random.Next(ids.Count)];
                    await db.ExecuteAsync("update injections set voided_at = now(), void_reason = 'test' where id = @id and voided_at is null", new { id });
                }
                else
                {
                    // One statement of 1-4 rows; dates and record times drawn from small sets so that ties are common.
                    var rows = Enumerable.Range(0, random.Next(1, 5)).Select(_ => new
                    {
                        id = Guid.CreateVersion7(), date = new DateOnly(2026, 3, 1).AddDays(random.Next(4)),
                        at = (baseTime + Duration.FromMinutes(random.Next(3))).ToDateTimeUtc(), plan = plans[random.Next(plans.Length)],
                    }).ToList();
                    ids.AddRange(rows.Select(r => r.id));
                    await db.ExecuteAsync("""
                        insert into injections (id, organization_id, patient_id, procedure, region, laterality, date_of_service, plan, content_hash, recorded_at)
                        select u.id, @org, @patient, 'trigger-point-injection', 'neck', 'left', u.date, u.plan, '\x00'::bytea, u.at
                        from unnest(@ids, @dates, @plans, @ats) as u(id, date, plan, at)
                        """, new
                    {
                        org, patient, ids = rows.Select(r => r.id).ToArray(), dates = rows.Select(r => r.date).ToArray(),
                        plans = rows.Select(r => r.plan).ToArray(), ats = rows.Select(r => r.at).ToArray(),
                    });
                }
                steps++;
                var stored = (await db.QueryAsync<(Guid Id, string Date, DateTime At, string? Plan, bool Voided)>(
                    "select id, date_of_service::text, recorded_at, plan, voided_at is not null from injections where organization_id = @org and patient_id = @patient",
                    new { org, patient })).Select(r => new PlannedRecord(r.Id, NodaTime.Text.LocalDatePattern.Iso.Parse(r.Date).Value,
                        Instant.FromDateTimeUtc(DateTime.SpecifyKind(r.At, DateTimeKind.Utc)), r.Plan, r.Voided)).ToList();
                var domain = QuestionPlan.Latest(stored);
                var copy = await db.ExecuteScalarAsync<string?>("select latest_plan from patients where id = @patient", new { patient });
                if (domain != copy) mismatches.Add($"case {c}, step {steps}: domain {domain ?? "(none)"}, sql {copy ?? "(none)"}");
            }
        }
        TestContext.Out.WriteLine($"seed {seed}: {Cases} histories, {steps} statements compared");
        Assert.That(mismatches, Is.Empty, $"seed {seed} (replay: PT_AGREEMENT_SEED={seed})");
        Assert.That(steps, Is.GreaterThan(Cases * 2), "the histories have several steps each");
    }
}
