using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ProcedureTracker.Api.Tests.Security;

/// <summary>Limits and headers of issue 21: bounded policies, bounded dates of service, and what every answer carries.</summary>
public class HardeningTests : ApiTest
{
    private static object Rule(int i) => new { id = "r" + i, kind = "max-sessions", procedures = new[] { "*" }, scope = "patient", max = 4, window = "calendar-year" };

    [Test]
    public async Task A_policy_of_too_many_rules_is_refused_naming_the_limit()
    {
        var response = await Admin.PutAsJsonAsync("/v1/policies/huge", new { name = "Huge", rules = Enumerable.Range(0, 101).Select(Rule).ToArray() });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await Json(response)).GetProperty("errors").GetProperty("rules")[0].GetString(), Does.Contain("At most 100 rules"));
    }

    [Test]
    public async Task A_policy_body_past_its_size_limit_is_413()
    {
        var padding = new string('x', 300 * 1024);
        var response = await Admin.PutAsync("/v1/policies/padded", new StringContent(
            JsonSerializer.Serialize(new { name = "Padded " + padding, rules = new[] { Rule(1) } }), Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [TestCase("1900-06-01")]
    [TestCase("1949-12-31")]
    [TestCase("2040-01-01")]
    public async Task A_date_of_service_outside_the_span_is_refused_at_every_recording_door(string date)
    {
        var patient = NewPatient();
        var json = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi(date, plan: null));
        Assert.That(json.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await Json(json)).GetProperty("errors").TryGetProperty("dateOfService", out _));

        var csv = "patientId,procedure,region,laterality,dateOfService,externalId\n" + $"{patient},trigger-point-injection,neck,left,{date},old-{date}\n";
        var import = await Json(await Admin.PostAsync("/v1/imports", new StringContent(csv, Encoding.UTF8, "text/csv")));
        Assert.That(import.GetProperty("rejected")[0].GetProperty("errors").TryGetProperty("dateOfService", out _));

        var fhir = new StringContent($$"""
            {"resourceType":"Procedure","status":"completed","subject":{"reference":"Patient/{{patient}}"},
             "identifier":[{"system":"urn:test","value":"span-{{date}}"}],
             "code":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"20553"}]},
             "bodySite":[{"coding":[{"system":"http://snomed.info/sct","code":"45048000"}]}],"performedDateTime":"{{date}}"}
            """, Encoding.UTF8, "application/fhir+json");
        var created = await Admin.PostAsync("/fhir/Procedure", fhir);
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await created.Content.ReadAsStringAsync());
        Assert.That((await Admin.GetAsync($"/v1/patients/{patient}/injections")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "nothing was stored");
    }

    [Test]
    public async Task A_misspelt_member_is_refused_by_name_not_dropped()
    {
        var patient = NewPatient();
        var response = await Admin.PostAsync($"/v1/patients/{patient}/injections", new StringContent("""
            {"procedure":"epidural-steroid-injection","site":{"region":"lumbar-sacral-spine","laterality":"none"},
             "steriod":{"drug":"triamcinolone","doseMg":80},"dateOfService":"2026-03-01"}
            """, Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty("steriod", out _), body);
        Assert.That(body, Does.Not.Contain(".NET").And.Not.Contain("ProcedureTracker."), "no internals in the answer");
        Assert.That((await Admin.GetAsync($"/v1/patients/{patient}/injections")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "nothing was stored");
    }

    [TestCase(new byte[] { 0xff }, "invalid UTF-8 in a member name")]
    [TestCase(new byte[] { 0x5c, 0x75, 0x64, 0x38, 0x30, 0x30 }, "a lone surrogate escape in a member name")]
    public async Task Text_that_is_not_unicode_anywhere_in_a_json_api_body_is_a_400_without_internals(byte[] bad, string what)
    {
        var before = Encoding.UTF8.GetBytes("""{"patientId":"p-utf","procedure":"trigger-point-injection","site":{"region":"neck"},"date":"2026-03-01","pl""");
        var after = Encoding.UTF8.GetBytes("""an":"x"}""");
        var content = new ByteArrayContent([.. before, .. bad, .. after]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var response = await Admin.PostAsync("/v1/eligibility", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), what + ": " + body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(body, Does.Not.Contain(".NET").And.Not.Contain("ProcedureTracker."), what);
    }

    [Test]
    public async Task Without_a_public_url_a_forged_host_is_not_served()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/fhir/Procedure?patient=p-1");
        request.Headers.Host = "evil.example";
        var response = await Admin.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("evil.example"));
    }

    [Test]
    public async Task Health_data_is_never_cached_and_every_answer_refuses_sniffing_and_framing()
    {
        var answer = await Admin.GetAsync("/v1/policies");
        Assert.That(answer.Headers.CacheControl?.NoStore, Is.True);
        Assert.That(answer.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }));
        var page = await Factory.Client(null).GetAsync("/signin");
        var policy = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.That(policy, Does.Contain("frame-ancestors 'none'").And.Contain("script-src 'none'"));
        Assert.That(page.Headers.GetValues("Referrer-Policy"), Is.EqualTo(new[] { "no-referrer" }));
    }
}
