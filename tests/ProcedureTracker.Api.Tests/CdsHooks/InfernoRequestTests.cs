using System.Net;
using System.Text;
using System.Text.Json;

namespace ProcedureTracker.Api.Tests.CdsHooks;

/// <summary>
/// The Inferno Da Vinci CRD test kit's client-suite requests, replayed as an EHR sends them (examples/inferno): each
/// answers 200 with cards or none (their orders are not injections; their Coverage names no plan of ours), never 400.
/// </summary>
public class InfernoRequestTests : ApiTest
{
    private static IEnumerable<string> Requests() =>
        Directory.GetFiles(Path.Combine(TestContext.CurrentContext.TestDirectory, "CdsHooks", "examples", "inferno"), "*.json").Select(Path.GetFileName)!;

    [TestCaseSource(nameof(Requests))]
    public async Task An_inferno_request_answers_200_with_cards_or_none(string file)
    {
        var json = await File.ReadAllTextAsync(Path.Combine(TestContext.CurrentContext.TestDirectory, "CdsHooks", "examples", "inferno", file));
        var hook = JsonDocument.Parse(json).RootElement.GetProperty("hook").GetString();
        var response = await Admin.PostAsync($"/cds-services/procedure-limits-{hook}", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var answer = await Json(response);
        Assert.That(answer.GetProperty("cards").ValueKind, Is.EqualTo(JsonValueKind.Array));
    }
}
