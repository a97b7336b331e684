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
    public async Task With_no_plan_named_the_latest_non_voided_injections_plan_is_used_through_records_voids_and_imports()
    {
        var patient = NewPatient();
        async Task<string?> InferredAsync()
        {
            var answer = await Json(await Admin.PostAsJsonAsync("/v1/eligibility", new
            {
                patientId = patient, procedure = "trigger-point-injection", site = new { region = "neck", laterality = "right" }, date = "2026-09-01",
            }));
            var note = answer.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).SingleOrDefault(w => w.StartsWith("No plan was named"));
            return note is null ? null : note.Split('\'')[2]; // ...the patient's latest injection, 'plan', was used.
        }
        async Task<string> RecordAsync(string date, string plan, string region)
        {
            var response = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi(date, region: region, plan: plan));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
            return (await Json(response)).GetProperty("id").GetString()!;
        }

        Assert.That(await InferredAsync(), Is.Null, "no injection yet: no plan to infer");
        await RecordAsync("2026-01-05", "acme-ppo", "neck");
        Assert.That(await InferredAsync(), Is.EqualTo("acme-ppo"));
        var february = await RecordAsync("2026-02-05", "medicare-lcd", "lower-back");
        Assert.That(await InferredAsync(), Is.EqualTo("medicare-lcd"));
        await RecordAsync("2025-06-01", "acme-ppo", "knee");
        Assert.That(await InferredAsync(), Is.EqualTo("medicare-lcd"), "an older record does not change the latest");

        var voided = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections/{february}/void", new { reason = "entered on the wrong patient" });
        Assert.That(voided.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await InferredAsync(), Is.EqualTo("acme-ppo"), "the void falls back to the latest one left");

        var import = await Admin.PostAsync("/v1/imports", new StringContent(
            "patientId,procedure,region,laterality,dateOfService,plan,externalId\r\n" +
            $"{patient},trigger-point-injection,neck,left,2026-03-02,medicare-lcd,{patient}-imp-1\r\n" +
            $"{patient},trigger-point-injection,neck,left,2026-01-20,bcbs-style,{patient}-imp-2\r\n", System.Text.Encoding.UTF8, "text/csv"));
        Assert.That(import.StatusCode, Is.EqualTo(HttpStatusCode.OK), await import.Content.ReadAsStringAsync());
        Assert.That(await InferredAsync(), Is.EqualTo("medicare-lcd"), "the imported row dated last is the latest");
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
