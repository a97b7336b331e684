using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ProcedureTracker.Api.Tests.Readme;

/// <summary>
/// The README's "Using the API" walk-through, replayed as written (its curl lines are read from README.md) against a
/// fresh organization: what a new user sees is what the README promises.
/// </summary>
public class ReadmeWalkthroughTests : ApiTest
{
    private static List<(string Method, string Path, string Body)> Steps() => ReadmeCurls.Steps("## Using the API");

    [Test]
    public async Task The_walk_through_check_answers_not_eligible_until_2026_03_12()
    {
        var steps = Steps();
        Assert.That(steps.Select(s => s.Method), Is.EqualTo(new[] { "PUT", "POST", "POST" }), "the README's walk-through: policy, record, check");

        HttpResponseMessage? last = null;
        foreach (var (method, path, body) in steps)
        {
            last = await Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
            Assert.That((int)last.StatusCode, Is.InRange(200, 201), $"{method} {path}: {await last.Content.ReadAsStringAsync()}");
        }

        var answer = await Json(last!);
        Assert.That(answer.GetProperty("eligible").GetBoolean(), Is.False);
        Assert.That(answer.GetProperty("earliestEligibleDate").GetString(), Is.EqualTo("2026-03-12"));
        Assert.That(answer.GetProperty("plan").GetString(), Is.EqualTo("acme-ppo"));
        Assert.That(answer.GetProperty("policiesChecked").EnumerateArray().Select(p => p.GetString()), Does.Contain("acme-ppo"));
    }

    [Test]
    public async Task A_check_without_a_plan_uses_the_latest_injection_plan_and_says_so()
    {
        var patient = NewPatient();
        foreach (var date in new[] { "2026-01-05", "2026-02-20", "2026-04-10" })
            Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi(date, plan: "medicare-lcd"))).StatusCode,
                Is.EqualTo(HttpStatusCode.Created));

        var withoutPlan = await Json(await Admin.PostAsJsonAsync("/v1/eligibility", new
        {
            patientId = patient, procedure = "trigger-point-injection", site = new { region = "neck", laterality = "right" }, date = "2026-06-01",
        }));

        // 3 of 3 Medicare TPI sessions in 12 months: not eligible, and the answer names the plan it used.
        Assert.That(withoutPlan.GetProperty("eligible").GetBoolean(), Is.False);
        Assert.That(withoutPlan.GetProperty("plan").GetString(), Is.EqualTo("medicare-lcd"));
        Assert.That(withoutPlan.GetProperty("warnings")[0].GetString(),
            Is.EqualTo("No plan was named: the plan of the patient's latest injection, 'medicare-lcd', was used."));

        var noHistory = await Json(await Admin.PostAsJsonAsync("/v1/eligibility", new
        {
            patientId = NewPatient(), procedure = "trigger-point-injection", site = new { region = "neck" }, date = "2026-06-01",
        }));
        Assert.That(noHistory.GetProperty("plan").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(noHistory.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()),
            Does.Contain("No payer plan was named or found for this patient: only the clinic protocols were checked."));
    }

    [Test]
    public async Task A_plan_with_no_version_in_force_on_the_date_is_reported()
    {
        var put = await Admin.PutAsJsonAsync("/v1/policies/late-ppo", new
        {
            name = "Late PPO", effectiveFrom = "2027-01-01",
            rules = new object[] { new { id = "gap", kind = "min-interval", procedures = new[] { "trigger-point-injection" }, scope = "site", days = 7 } },
        });
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var answer = await Json(await Admin.PostAsJsonAsync("/v1/eligibility", new
        {
            patientId = NewPatient(), procedure = "trigger-point-injection", site = new { region = "neck" }, date = "2026-06-01", plan = "late-ppo",
        }));
        Assert.That(answer.GetProperty("warnings")[0].GetString(), Does.StartWith("Plan 'late-ppo' has no version in force on 2026-06-01"));
    }

    [Test]
    public async Task A_first_policy_version_without_a_date_governs_from_the_beginning_and_a_later_one_from_today()
    {
        var rules = new object[] { new { id = "gap", kind = "min-interval", procedures = new[] { "trigger-point-injection" }, scope = "site", days = 7 } };
        var first = await Json(await Admin.PutAsJsonAsync("/v1/policies/dated-ppo", new { name = "Dated PPO", rules }));
        var second = await Json(await Admin.PutAsJsonAsync("/v1/policies/dated-ppo", new { name = "Dated PPO", rules }));

        Assert.That(first.GetProperty("effectiveFrom").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(second.GetProperty("effectiveFrom").GetString(), Is.Not.Null.And.Matches(@"^\d{4}-\d{2}-\d{2}$"));
        var old = await Admin.GetAsync("/v1/policies/dated-ppo?asOf=1999-01-01");
        Assert.That((await Json(old)).GetProperty("version").GetInt32(), Is.EqualTo(1));
    }
}
