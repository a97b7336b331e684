using System.Net;
using System.Net.Http.Json;

namespace ProcedureTracker.Api.Tests.Eligibility;

public class EligibilityTests : ApiTest
{
    [OneTimeSetUp]
    public async Task Plan() => Assert.That((await PutAcmeAsync()).StatusCode, Is.EqualTo(HttpStatusCode.OK));

    [Test]
    public async Task Answer_matches_the_contract_example()
    {
        var patient = NewPatient();
        foreach (var date in new[] { "2026-01-20", "2026-02-20", "2026-03-05" })
            Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi(date))).StatusCode, Is.EqualTo(HttpStatusCode.Created));

        var billing = await Factory.ClientWithRoleAsync("billing");
        var response = await billing.PostAsJsonAsync("/v1/eligibility", new
        {
            patientId = patient, procedure = "trigger-point-injection", site = new { region = "neck", laterality = "right" },
            steroid = (object?)null, date = "2026-03-10", plan = "acme-ppo",
        });
        var body = await Json(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body.GetProperty("eligible").GetBoolean(), Is.False);
        Assert.That(body.GetProperty("date").GetString(), Is.EqualTo("2026-03-10"));
        Assert.That(body.GetProperty("earliestEligibleDate").GetString(), Is.EqualTo("2026-03-12"));
        var violation = body.GetProperty("violations").EnumerateArray().Single();
        Assert.That(violation.GetProperty("policy").GetString(), Is.EqualTo("acme-ppo"));
        Assert.That(violation.GetProperty("kind").GetString(), Is.EqualTo("min-interval"));
        Assert.That(violation.GetProperty("message").GetString(), Does.StartWith("Trigger point injection at neck (right) on 2026-03-05 is 5 days before"));
        Assert.That(violation.GetProperty("conflictingDates")[0].GetString(), Is.EqualTo("2026-03-05"));
        Assert.That(violation.GetProperty("passesOn").GetString(), Is.EqualTo("2026-03-12"));
        var usage = body.GetProperty("usage").EnumerateArray().Single(u => u.GetProperty("ruleId").GetString() == "tpi-year");
        Assert.That((usage.GetProperty("used").GetInt32(), usage.GetProperty("limit").GetInt32(), usage.GetProperty("remaining").GetInt32()), Is.EqualTo((3, 4, 1)));
        Assert.That((usage.GetProperty("windowStart").GetString(), usage.GetProperty("windowEnd").GetString()), Is.EqualTo(("2026-01-01", "2026-12-31")));
        Assert.That(body.GetProperty("warnings")[0].GetString(), Is.EqualTo("This is the last trigger point injection session acme-ppo allows until 2027-01-01."));
    }

    [Test]
    public async Task Unknown_patient_is_eligible_with_empty_usage_and_bad_fields_are_named()
    {
        var ok = await Admin.PostAsJsonAsync("/v1/eligibility", new
        {
            patientId = NewPatient(), procedure = "epidural-steroid-injection", site = new { region = "lumbar-sacral-spine", laterality = "none" },
            steroid = new { drug = "dexamethasone", doseMg = 10 }, date = "2026-03-10", plan = "medicare-lcd",
        });
        Assert.That((await Json(ok)).GetProperty("eligible").GetBoolean(), Is.True);

        var bad = await Admin.PostAsJsonAsync("/v1/eligibility", new { patientId = "", procedure = "x", site = new { region = "neck" }, date = "tomorrow", plan = "nope" });
        var fields = (await Json(bad)).GetProperty("errors").EnumerateObject().Select(p => p.Name);
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(fields, Is.EquivalentTo(new[] { "patientId", "procedure", "date" }));

        var unknownPlan = await Admin.PostAsJsonAsync("/v1/eligibility", new
        {
            patientId = NewPatient(), procedure = "trigger-point-injection", site = new { region = "neck" }, date = "2026-03-10", plan = "nope",
        });
        Assert.That((await Json(unknownPlan)).GetProperty("errors").EnumerateObject().Single().Name, Is.EqualTo("plan"));
    }
}
