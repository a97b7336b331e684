using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ProcedureTracker.Api.Tests.Reports;

public class ReportTests : ApiTest
{
    private sealed record Generated(string Patient, string Plan, string Procedure, DateOnly Date, decimal? Mpe, bool Voided);

    private readonly List<Generated> _data = [];
    private string _prefix = "";

    [OneTimeSetUp]
    public async Task Generate()
    {
        Assert.That((await PutAcmeAsync(maxPerYear: 100)).StatusCode, Is.EqualTo(HttpStatusCode.OK)); // plan year from 07-01
        var random = new Random(20261121);
        _prefix = "rp" + Guid.NewGuid().ToString("N")[..6];
        string[] procedures = ["trigger-point-injection", "joint-injection"];
        for (var i = 0; i < 160; i++)
        {
            var patient = $"{_prefix}-{random.Next(6)}";
            var plan = random.Next(3) == 0 ? "bcbs-style" : "acme-ppo";
            var procedure = procedures[random.Next(2)];
            var date = new DateOnly(2025, 11, 1).AddDays(random.Next(0, 500)); // 2025-11-01 .. 2027-03-15
            var steroid = random.Next(2) == 0 ? null : new { drug = random.Next(2) == 0 ? "triamcinolone" : "dexamethasone", doseMg = 10 * random.Next(1, 5) };
            var body = new
            {
                procedure, site = new { region = random.Next(2) == 0 ? "knee" : "neck", laterality = "left" }, steroid,
                dateOfService = date.ToString("yyyy-MM-dd"), plan, @override = new { reason = "report test history" },
            };
            var response = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", body);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            var stored = await Json(response);
            var voided = random.Next(8) == 0;
            if (voided)
                Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections/{stored.GetProperty("id").GetString()}/void",
                    new { reason = "test" })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var mpe = stored.GetProperty("steroid").ValueKind == JsonValueKind.Null ? (decimal?)null : stored.GetProperty("steroid").GetProperty("mpeMg").GetDecimal();
            _data.Add(new Generated(patient, plan, procedure, date, mpe, voided));
        }
    }

    /// <summary>The expected report, computed here from what was generated (not from the database).</summary>
    private List<string> Expected(int year, bool planBasis) => _data
        .Where(g => !g.Voided)
        .Select(g =>
        {
            var start = planBasis && g.Plan == "acme-ppo" ? new DateOnly(year, 7, 1) : new DateOnly(year, 1, 1);
            return (g, start, end: start.AddYears(1).AddDays(-1));
        })
        .Where(x => x.g.Date >= x.start && x.g.Date <= x.end)
        .GroupBy(x => (x.g.Patient, x.g.Plan, x.g.Procedure, x.start, x.end))
        .Select(grp => string.Join(',', grp.Key.Patient, grp.Key.Plan, grp.Key.Procedure, grp.Key.start.ToString("yyyy-MM-dd"), grp.Key.end.ToString("yyyy-MM-dd"),
            grp.Select(x => x.g.Date).Distinct().Count(), grp.Count(),
            grp.Where(x => x.g.Mpe is not null).Select(x => x.g.Date).Distinct().Count(),
            grp.Sum(x => x.g.Mpe ?? 0m).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)))
        .Order(StringComparer.Ordinal).ToList();

    private static List<string> Lines(string csv) =>
        csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Order(StringComparer.Ordinal).ToList();

    [TestCase(2026, false)]
    [TestCase(2026, true)]
    [TestCase(2025, true)]
    public async Task Yearly_counts_csv_match_counts_computed_from_the_generated_data(int year, bool planBasis)
    {
        var billing = await Factory.ClientWithRoleAsync("billing");
        var response = await billing.GetAsync($"/v1/reports/yearly-counts?year={year}&basis={(planBasis ? "plan" : "calendar")}&format=csv");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
        var csv = await response.Content.ReadAsStringAsync();
        Assert.That(csv, Does.StartWith("patientId,plan,procedure,periodStart,periodEnd,sessions,injections,steroidSessions,steroidMpeMg\r\n"));

        var mine = Lines(csv).Where(l => l.StartsWith(_prefix, StringComparison.Ordinal)).ToList();
        Assert.That(mine, Is.Not.Empty);
        Assert.That(mine, Is.EqualTo(Expected(year, planBasis)));
    }

    [Test]
    public async Task Yearly_counts_json_filtered_by_plan_agree_with_the_csv()
    {
        var rows = (await Json(await Admin.GetAsync("/v1/reports/yearly-counts?year=2026&basis=plan&plan=acme-ppo"))).EnumerateArray()
            .Where(r => r.GetProperty("patientId").GetString()!.StartsWith(_prefix, StringComparison.Ordinal)).ToList();
        var expected = Expected(2026, planBasis: true).Where(l => l.Split(',')[1] == "acme-ppo").ToList();
        Assert.That(rows.Select(r => string.Join(',', r.GetProperty("patientId").GetString(), r.GetProperty("plan").GetString(),
            r.GetProperty("procedure").GetString(), r.GetProperty("periodStart").GetString(), r.GetProperty("periodEnd").GetString(),
            r.GetProperty("sessions").GetInt64(), r.GetProperty("injections").GetInt64(), r.GetProperty("steroidSessions").GetInt64(),
            r.GetProperty("steroidMpeMg").GetDecimal().ToString("0.###", System.Globalization.CultureInfo.InvariantCulture))).Order(StringComparer.Ordinal),
            Is.EqualTo(expected));
    }

    [Test]
    public async Task Reports_are_for_billing_and_admin_and_name_bad_parameters()
    {
        var clinician = await Factory.ClientWithRoleAsync("clinician");
        Assert.That((await clinician.GetAsync("/v1/reports/yearly-counts?year=2026")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var bad = await Admin.GetAsync("/v1/reports/yearly-counts?year=20266&basis=fiscal&format=xml");
        Assert.That((await Json(bad)).GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "year", "basis", "format" }));
    }

    [Test]
    public async Task Approaching_limits_lists_a_patient_with_one_session_left()
    {
        var patient = NewPatient();
        foreach (var date in new[] { "2026-02-01", "2026-05-01" })
            await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", new
            {
                procedure = "trigger-point-injection", site = new { region = "neck", laterality = "left" }, dateOfService = date, plan = "medicare-lcd",
            });
        var rows = (await Json(await Admin.GetAsync("/v1/reports/approaching-limits?date=2026-11-21&plan=medicare-lcd"))).EnumerateArray()
            .Where(r => r.GetProperty("patientId").GetString() == patient).ToList();
        var tpi = rows.Single(r => r.GetProperty("ruleId").GetString() == "tpi-12m");
        Assert.That((tpi.GetProperty("used").GetDecimal(), tpi.GetProperty("limit").GetDecimal(), tpi.GetProperty("remaining").GetDecimal()), Is.EqualTo((2m, 3m, 1m)));

        var csv = await (await Admin.GetAsync("/v1/reports/approaching-limits?date=2026-11-21&format=csv")).Content.ReadAsStringAsync();
        Assert.That(csv, Does.Contain($"{patient},medicare-lcd,tpi-12m,max-sessions,trigger-point-injection,,2,3,1,sessions,2025-11-22,2026-11-21"));
    }

    [Test]
    public async Task A_rule_over_every_procedure_is_listed_as_any_procedure_not_the_one_that_probed_it()
    {
        var patient = NewPatient();
        foreach (var (procedure, region, date) in new[]
        {
            ("trigger-point-injection", "neck", "2026-02-01"), ("trigger-point-injection", "neck", "2026-04-01"),
            ("epidural-steroid-injection", "lumbar-sacral-spine", "2026-06-01"),
        })
        {
            var response = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", new
            {
                procedure, site = new { region, laterality = "left" }, dateOfService = date,
                steroid = new { drug = "triamcinolone", doseMg = 40 }, @override = new { reason = "history" },
            });
            Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
        }
        var rows = (await Json(await Admin.GetAsync("/v1/reports/approaching-limits?date=2026-11-21"))).EnumerateArray()
            .Where(r => r.GetProperty("patientId").GetString() == patient && r.GetProperty("ruleId").GetString() == "steroid-sessions-12m").ToList();
        Assert.That(rows.Select(r => (r.GetProperty("procedure").GetString(), r.GetProperty("remaining").GetDecimal())), Is.EqualTo(new[] { ("*", 1m) }),
            "3 of 4 steroid sessions, all procedures together: one row, for any procedure");
    }
}
