using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ProcedureTracker.Api.Tests.Injections;

public class InjectionTests : ApiTest
{
    [OneTimeSetUp]
    public async Task Plan() => Assert.That((await PutAcmeAsync()).StatusCode, Is.EqualTo(HttpStatusCode.OK));

    [Test]
    public async Task Record_returns_201_with_the_stored_injection_and_its_eligibility()
    {
        var patient = NewPatient();
        var response = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections",
            Tpi("2026-03-02", steroid: new { drug = "triamcinolone", doseMg = 40 }, externalId: "ehr-" + patient));
        var body = await Json(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(response.Headers.Location!.ToString(), Is.EqualTo($"/v1/patients/{patient}/injections/{body.GetProperty("id").GetString()}"));
        Assert.That(body.GetProperty("dateOfService").GetString(), Is.EqualTo("2026-03-02"));
        Assert.That(body.GetProperty("steroid").GetProperty("mpeMg").GetDecimal(), Is.EqualTo(40m));
        Assert.That(body.GetProperty("overridden").GetBoolean(), Is.False);
        Assert.That(body.GetProperty("eligibility").GetProperty("eligible").GetBoolean(), Is.True);
        Assert.That(body.GetProperty("recordedAt").GetString(), Does.EndWith("Z"));

        var history = await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"));
        Assert.That(history.GetProperty("injections").GetArrayLength(), Is.EqualTo(1));
    }

    [TestCase("procedure", "acupuncture")]
    [TestCase("cptCode", "62323")]
    [TestCase("dateOfService", "2026-02-30")]
    [TestCase("plan", "no-such-plan")]
    [TestCase("site.region", "elbowpit")]
    [TestCase("steroid.doseMg", "0")]
    [TestCase("imageGuidance", "x-ray vision")]
    public async Task Bad_field_is_a_400_naming_it_and_nothing_is_stored(string field, string value)
    {
        var patient = NewPatient();
        var body = JsonSerializer.SerializeToNode(Tpi("2026-03-02", steroid: new { drug = "triamcinolone", doseMg = 40 }))!.AsObject();
        switch (field)
        {
            case "site.region": body["site"]!["region"] = value; break;
            case "steroid.doseMg": body["steroid"]!["doseMg"] = decimal.Parse(value); break;
            default: body[field] = value; break;
        }
        var response = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", body);
        var problem = await Json(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(problem.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { field }));
        Assert.That((await Admin.GetAsync($"/v1/patients/{patient}/injections")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Bad_patient_id_and_malformed_json_are_400s()
    {
        var badId = await Admin.PostAsJsonAsync("/v1/patients/bad%20id!/injections", Tpi("2026-03-02"));
        Assert.That((await Json(badId)).GetProperty("errors").EnumerateObject().Single().Name, Is.EqualTo("patientId"));

        var malformed = await Admin.PostAsync($"/v1/patients/{NewPatient()}/injections",
            new StringContent("{\"procedure\": \"trigger-point-injection\", \"site\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.That(malformed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(malformed.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task Breaking_a_rule_is_422_carrying_the_eligibility_and_nothing_is_stored_until_overridden()
    {
        var patient = NewPatient();
        await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2026-03-05"));
        var refused = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2026-03-10"));
        var problem = await Json(refused);

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(problem.GetProperty("eligibility").GetProperty("earliestEligibleDate").GetString(), Is.EqualTo("2026-03-12"));
        Assert.That(problem.GetProperty("eligibility").GetProperty("violations")[0].GetProperty("ruleId").GetString(), Is.EqualTo("tpi-gap"));
        Assert.That((await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"))).GetProperty("injections").GetArrayLength(), Is.EqualTo(1));

        var overridden = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections",
            Tpi("2026-03-10", @override: new { reason = "documented 60% relief", priorAuthorization = "PA-9" }));
        var stored = await Json(overridden);
        Assert.That(overridden.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(stored.GetProperty("overridden").GetBoolean(), Is.True);
        Assert.That(stored.GetProperty("override").GetProperty("priorAuthorization").GetString(), Is.EqualTo("PA-9"));
    }

    [Test]
    public async Task Same_external_id_replays_identical_content_and_conflicts_on_different_content()
    {
        var patient = NewPatient();
        var first = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2026-04-01", externalId: "x-" + patient));
        var again = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2026-04-01", externalId: "x-" + patient));
        var changed = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2026-04-02", externalId: "x-" + patient));

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await Json(again)).GetProperty("id").GetString(), Is.EqualTo((await Json(first)).GetProperty("id").GetString()));
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(changed.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task Void_stops_counting_keeps_the_record_and_a_second_void_is_409()
    {
        var patient = NewPatient();
        var id = (await Json(await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2026-03-05")))).GetProperty("id").GetString();
        Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2026-03-10"))).StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));

        var noReason = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections/{id}/void", new { });
        Assert.That((await Json(noReason)).GetProperty("errors").EnumerateObject().Single().Name, Is.EqualTo("reason"));
        var voided = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections/{id}/void", new { reason = "entered on wrong patient" });
        Assert.That(voided.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await Json(voided)).GetProperty("void").GetProperty("reason").GetString(), Is.EqualTo("entered on wrong patient"));
        Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections/{id}/void", new { reason = "again" })).StatusCode,
            Is.EqualTo(HttpStatusCode.Conflict));

        Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2026-03-10"))).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var all = await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections?includeVoided=true"));
        var current = await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"));
        Assert.That((all.GetProperty("injections").GetArrayLength(), current.GetProperty("injections").GetArrayLength()), Is.EqualTo((2, 1)));
    }

    [Test]
    public async Task Supersedes_voids_the_old_record_in_the_same_step()
    {
        var patient = NewPatient();
        var old = (await Json(await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2026-05-05", region: "neck")))).GetProperty("id").GetString();
        var body = JsonSerializer.SerializeToNode(Tpi("2026-05-05", region: "shoulder"))!.AsObject();
        body["supersedes"] = old;
        var corrected = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", body);
        Assert.That(corrected.StatusCode, Is.EqualTo(HttpStatusCode.Created));

        var history = (await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections?includeVoided=true"))).GetProperty("injections");
        var oldRow = history.EnumerateArray().Single(i => i.GetProperty("id").GetString() == old);
        Assert.That(oldRow.GetProperty("voided").GetBoolean(), Is.True);
        Assert.That(oldRow.GetProperty("supersededBy").GetString(), Is.EqualTo((await Json(corrected)).GetProperty("id").GetString()));
    }

    [Test]
    public async Task Another_organizations_patient_and_injection_are_404()
    {
        var patient = NewPatient();
        var id = (await Json(await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2026-03-05")))).GetProperty("id").GetString();

        using var other = new ApiFactory(Data.Tests.TestDatabase.ConnectionString);
        var stranger = other.Admin();
        Assert.That((await stranger.GetAsync($"/v1/patients/{patient}/injections")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var voidAttempt = await stranger.PostAsJsonAsync($"/v1/patients/{patient}/injections/{id}/void", new { reason = "x" });
        Assert.That(voidAttempt.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"))).GetProperty("injections")[0].GetProperty("voided").GetBoolean(), Is.False);
    }
}
