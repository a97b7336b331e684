using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;
using ProcedureTracker.Data.Tests;

namespace ProcedureTracker.Api.Tests.CdsHooks;

public class CdsHooksTests : ApiTest
{
    [OneTimeSetUp]
    public async Task Plan() => Assert.That((await PutAcmeAsync(maxPerYear: 1)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

    private static string Example(string name, string patient, string plan = "acme-ppo") =>
        File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "CdsHooks", "examples", name))
            .Replace("\"p-1\"", $"\"{patient}\"").Replace("Patient/p-1", $"Patient/{patient}").Replace("\"acme-ppo\"", $"\"{plan}\"");

    private async Task<JsonElement> Call(string service, string json)
    {
        var response = await Admin.PostAsync($"/cds-services/{service}", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await Json(response);
    }

    [Test]
    public async Task Discovery_lists_the_three_hooks()
    {
        var services = (await Json(await Factory.Client(null).GetAsync("/cds-services"))).GetProperty("services").EnumerateArray().ToList();
        Assert.That(services.Select(s => s.GetProperty("hook").GetString()), Is.EquivalentTo(new[] { "order-select", "order-sign", "appointment-book" }));
        Assert.That(services.All(s => s.GetProperty("prefetch").GetProperty("coverage").GetString()!.Contains("{{context.patientId}}")));
        var xml = new HttpRequestMessage(HttpMethod.Get, "/cds-services");
        xml.Headers.TryAddWithoutValidation("Accept", "application/xml");
        Assert.That((await Factory.Client(null).SendAsync(xml)).StatusCode, Is.EqualTo(HttpStatusCode.NotAcceptable));
    }

    [Test]
    public async Task Order_sign_at_the_cap_gets_a_critical_card_with_the_earliest_date_and_the_crd_action()
    {
        var patient = NewPatient();
        Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2026-02-10"))).StatusCode, Is.EqualTo(HttpStatusCode.Created));

        var answer = await Call("procedure-limits-order-sign", Example("order-sign.json", patient));
        var card = answer.GetProperty("cards").EnumerateArray().Single();
        Assert.That(card.GetProperty("indicator").GetString(), Is.EqualTo("critical"));
        var summary = card.GetProperty("summary").GetString()!;
        Assert.That(summary, Is.EqualTo("Not eligible until 2027-01-01: 1 of 1 sessions used this year (acme-ppo)"));
        Assert.That(summary.Length, Is.LessThan(140));
        Assert.That(card.GetProperty("source").GetProperty("topic").GetProperty("code").GetString(), Is.EqualTo("limits"));
        Assert.That(card.GetProperty("overrideReasons").GetArrayLength(), Is.GreaterThan(0));
        Assert.That(card.GetProperty("detail").GetString(), Does.Contain("tpi-year: 1 of 1 sessions"));

        var action = answer.GetProperty("systemActions").EnumerateArray().Single();
        Assert.That(action.GetProperty("type").GetString(), Is.EqualTo("update"));
        var resource = action.GetProperty("resource");
        Assert.That(resource.GetProperty("id").GetString(), Is.EqualTo("sr-tpi-1"));
        var coverage = resource.GetProperty("extension").EnumerateArray()
            .Single(e => e.GetProperty("url").GetString() == "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information");
        var parts = coverage.GetProperty("extension").EnumerateArray().ToList();
        Assert.That(parts.Single(p => p.GetProperty("url").GetString() == "covered").GetProperty("valueCode").GetString(), Is.EqualTo("not-covered"));
        Assert.That(parts.Single(p => p.GetProperty("url").GetString() == "coverage").GetProperty("valueReference").GetProperty("reference").GetString(),
            Is.EqualTo("Coverage/cov-1"));
        var details = parts.Where(p => p.GetProperty("url").GetString() == "detail")
            .ToDictionary(d => d.GetProperty("extension")[0].GetProperty("valueCodeableConcept").GetProperty("coding")[0].GetProperty("code").GetString()!,
                d => d.GetProperty("extension")[1]);
        Assert.That(details["allowed-quantity"].GetProperty("valueQuantity").GetProperty("value").GetDecimal(), Is.EqualTo(0m), "what remains of the cap, not the cap");
        Assert.That(details["allowed-period"].GetProperty("valuePeriod").GetProperty("start").GetString(), Is.EqualTo("2026-01-01"));
    }

    [Test]
    public async Task Eligible_order_sign_says_covered_with_only_a_last_session_warning()
    {
        var answer = await Call("procedure-limits-order-sign", Example("order-sign.json", NewPatient()));
        Assert.That(answer.GetProperty("cards").EnumerateArray().Select(c => c.GetProperty("indicator").GetString()), Is.EqualTo(new[] { "warning" }));
        var parts = answer.GetProperty("systemActions")[0].GetProperty("resource").GetProperty("extension")[0].GetProperty("extension");
        Assert.That(parts.EnumerateArray().Single(p => p.GetProperty("url").GetString() == "covered").GetProperty("valueCode").GetString(), Is.EqualTo("covered"));
    }

    [Test]
    public async Task Order_select_warns_when_the_order_uses_the_last_session()
    {
        var json = Example("order-sign.json", NewPatient()).Replace("\"hook\": \"order-sign\"", "\"hook\": \"order-select\"");
        var answer = await Call("procedure-limits-order-select", json);
        var card = answer.GetProperty("cards").EnumerateArray().Single();
        Assert.That(card.GetProperty("indicator").GetString(), Is.EqualTo("warning"));
        Assert.That(card.GetProperty("summary").GetString(), Is.EqualTo("This is the last trigger point injection session acme-ppo allows until 2027-01-01."));
        Assert.That(answer.TryGetProperty("systemActions", out _), Is.False, "only order-sign carries the CRD action");
    }

    [Test]
    public async Task Appointment_book_judges_the_site_of_the_latest_injection()
    {
        var patient = NewPatient();
        await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2026-11-28"));
        var answer = await Call("procedure-limits-appointment-book", Example("appointment-book.json", patient, plan: "acme-ppo").Replace("PLAN_CODE", "acme-ppo"));
        // No coverage prefetch: the plan of the patient's latest injection (acme-ppo) is used, and the card says so.
        var inferred = answer.GetProperty("cards").EnumerateArray().Single();
        Assert.That(inferred.GetProperty("indicator").GetString(), Is.EqualTo("critical"));
        Assert.That(inferred.GetProperty("detail").GetString(), Does.Contain("judged under acme-ppo, the plan of the patient's latest injection").And.Not.Contain("No plan was named"));

        var withPlan = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Example("appointment-book.json", patient))!;
        var order = JsonDocument.Parse(Example("order-sign.json", patient)).RootElement.GetProperty("prefetch");
        withPlan["prefetch"] = order;
        var blocked = await Call("procedure-limits-appointment-book", JsonSerializer.Serialize(withPlan));
        var card = blocked.GetProperty("cards").EnumerateArray().Single();
        Assert.That(card.GetProperty("summary").GetString(), Does.StartWith("Not eligible until 2027-01-01"));
    }

    [Test]
    public async Task Feedback_lands_in_the_audit_log()
    {
        var card = Guid.NewGuid().ToString();
        var response = await Admin.PostAsync("/cds-services/procedure-limits-order-sign/feedback", new StringContent($$"""
            {"feedback":[{"card":"{{card}}","outcome":"overridden",
              "overrideReason":{"reason":{"code":"documented-relief","system":"http://proceduretracker.org/fhir/CodeSystem/override-reason","display":"Documented relief"},
                                "userComment":"60% relief for 8 weeks"},
              "outcomeTimestamp":"2026-11-21T15:04:05Z"}]}
            """, Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        var row = await connection.QuerySingleAsync<(string Action, string Detail)>(
            "select action, detail::text from audit_log where entity = 'cds-card' and entity_id = @card", new { card });
        Assert.That(row.Action, Is.EqualTo("cds-overridden"));
        Assert.That(row.Detail, Does.Contain("documented-relief").And.Not.Contain("60% relief"));
    }
}
