using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ProcedureTracker.Api.Tests.CdsHooks;

/// <summary>The plan of a CDS call comes from the EHR's words for it: policy codes and aliases, never a 400.</summary>
public class CoveragePlanTests : ApiTest
{
    private static string OrderSign(string patient, string planValue) =>
        File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "CdsHooks", "examples", "order-sign.json"))
            .Replace("\"p-1\"", $"\"{patient}\"").Replace("Patient/p-1", $"Patient/{patient}").Replace("\"acme-ppo\"", JsonSerializer.Serialize(planValue));

    private async Task<JsonElement> CallAsync(string json)
    {
        var response = await Admin.PostAsync("/cds-services/procedure-limits-order-sign", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await Json(response);
    }

    private static string Covered(JsonElement answer) =>
        answer.GetProperty("systemActions")[0].GetProperty("resource").GetProperty("extension").EnumerateArray()
            .Single(e => e.GetProperty("url").GetString()!.EndsWith("ext-coverage-information", StringComparison.Ordinal))
            .GetProperty("extension").EnumerateArray().Single(p => p.GetProperty("url").GetString() == "covered").GetProperty("valueCode").GetString()!;

    [Test]
    public async Task A_coverage_naming_a_policy_alias_is_judged_under_that_policy()
    {
        var code = "mcb-" + Guid.NewGuid().ToString("N")[..8];
        var put = await Admin.PutAsJsonAsync($"/v1/policies/{code}", new
        {
            name = "Medicare Part B", alwaysApply = false, aliases = new[] { "Medicare Part B", "MEDICARE-B" },
            rules = new object[] { new { id = "tpi-year", kind = "max-sessions", procedures = new[] { "trigger-point-injection" }, scope = "patient", max = 1, window = "calendar-year" } },
        });
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());
        Assert.That((await Json(put)).GetProperty("aliases").EnumerateArray().Select(a => a.GetString()), Is.EqualTo(new[] { "Medicare Part B", "MEDICARE-B" }));
        var patient = NewPatient();
        Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2026-02-10", plan: null))).StatusCode, Is.EqualTo(HttpStatusCode.Created));

        foreach (var words in new[] { "Medicare Part B", "medicare-b " })
        {
            var answer = await CallAsync(OrderSign(patient, words));
            var card = answer.GetProperty("cards").EnumerateArray().Single();
            Assert.That(card.GetProperty("summary").GetString(), Does.Contain($"({code})"), $"'{words}' names {code}");
            Assert.That(Covered(answer), Is.EqualTo("not-covered"), "a payer answer, not conditional");
        }
    }

    [Test]
    public async Task A_coverage_plan_the_clinic_does_not_know_is_judged_without_a_plan_and_said_so()
    {
        foreach (var words in new[] { "Medicare Part A", "MEDICARE-A" })
        {
            var answer = await CallAsync(OrderSign(NewPatient(), words));
            Assert.That(Covered(answer), Is.EqualTo("conditional"));
            var card = answer.GetProperty("cards").EnumerateArray().Single();
            Assert.That(card.GetProperty("detail").GetString(), Does.Contain($"the Coverage plan '{words}' is not a plan this clinic has"));
        }
        var duplicate = await Admin.PutAsJsonAsync("/v1/policies/dup-alias", new
        {
            name = "Dup", aliases = new[] { "X", "x" }, rules = new object[] { new { id = "g", kind = "min-interval", procedures = new[] { "*" }, scope = "site", days = 7 } },
        });
        Assert.That(duplicate.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await duplicate.Content.ReadAsStringAsync(), Does.Contain("aliases[1]"));
    }

    [Test]
    public async Task A_fhir_procedure_naming_its_plan_by_an_alias_is_stored_under_the_plan_code()
    {
        var code = "mcb-" + Guid.NewGuid().ToString("N")[..8];
        var alias = "Medicare Part B " + code[4..];
        var put = await Admin.PutAsJsonAsync($"/v1/policies/{code}", new
        {
            name = "Medicare Part B", aliases = new[] { alias },
            rules = new object[] { new { id = "gap", kind = "min-interval", procedures = new[] { "*" }, scope = "site", days = 7 } },
        });
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());
        var patient = NewPatient();
        var json = ProcedureTracker.Api.Tests.Fhir.FhirTests.Example("procedure-esi.json", patient)
            .Replace("\"valueString\": \"medicare-lcd\"", $"\"valueString\": \"{alias.ToUpperInvariant()}\"").Replace("PROC-ESI-0001", "PROC-AL-" + patient);
        var created = await Admin.PostAsync("/fhir/Procedure", new StringContent(json, Encoding.UTF8, "application/fhir+json"));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var stored = (await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"))).GetProperty("injections")[0];
        Assert.That(stored.GetProperty("plan").GetString(), Is.EqualTo(code));
    }
}
