using System.Net;
using System.Net.Http.Json;

namespace ProcedureTracker.Api.Tests.Reports;

/// <summary>
/// The near-a-cap report, the check and the patient's standing judge a patient under one plan (issue 22's
/// reproduction): a plan on an old record and a later record without a plan.
/// </summary>
public class OneAnswerTests : ApiTest
{
    [Test]
    public async Task The_near_a_cap_report_lists_whom_the_check_calls_at_their_last_session()
    {
        var put = await Admin.PutAsJsonAsync("/v1/policies/probe-plan", new
        {
            name = "Probe plan", effectiveFrom = "2020-01-01",
            rules = new[] { new { id = "two-a-year", kind = "max-sessions", procedures = new[] { "*" }, scope = "patient", max = 2, window = "rolling-12-months" } },
        });
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());
        var patient = NewPatient();
        Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2024-06-01", plan: "probe-plan"))).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2025-09-01", plan: null))).StatusCode, Is.EqualTo(HttpStatusCode.Created));

        var check = await Json(await Admin.PostAsJsonAsync("/v1/eligibility", new
        {
            patientId = patient, procedure = "trigger-point-injection", site = new { region = "neck", laterality = "right" }, date = "2026-03-01",
        }));
        Assert.That(check.GetProperty("plan").GetString(), Is.EqualTo("probe-plan"), "a check without a plan is judged under the latest plan");
        var usage = check.GetProperty("usage").EnumerateArray().Single(u => u.GetProperty("policy").GetString() == "probe-plan");
        Assert.That(usage.GetProperty("remaining").GetDecimal(), Is.EqualTo(1m));

        var report = (await Json(await Admin.GetAsync("/v1/reports/approaching-limits?date=2026-03-01"))).EnumerateArray()
            .Where(r => r.GetProperty("patientId").GetString() == patient).ToList();
        Assert.That(report.Select(r => (r.GetProperty("policy").GetString(), r.GetProperty("ruleId").GetString(), r.GetProperty("remaining").GetDecimal())),
            Does.Contain(("probe-plan", "two-a-year", 1m)), "the report lists the patient the check calls at their last session");
        var filtered = (await Json(await Admin.GetAsync("/v1/reports/approaching-limits?date=2026-03-01&plan=probe-plan"))).EnumerateArray()
            .Select(r => r.GetProperty("patientId").GetString());
        Assert.That(filtered, Does.Contain(patient));
    }
}
