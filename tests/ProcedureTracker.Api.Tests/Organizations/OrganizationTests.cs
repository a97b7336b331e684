using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ProcedureTracker.Data.Tests;

namespace ProcedureTracker.Api.Tests.Organizations;

/// <summary>An organization's settings, and the operator's door for new organizations.</summary>
public class OrganizationTests
{
    private const string OperatorKey = "operator-key-0123456789abcdef";
    private ApiFactory _factory = null!;
    private HttpClient _admin = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _factory = new ApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string> { ["PT_OPERATOR_KEY"] = OperatorKey });
        _admin = _factory.Admin();
    }

    [OneTimeTearDown]
    public void Stop() => _factory.Dispose();

    private static string Procedure(string patient, string id, string performed) => $$$"""
        {"resourceType":"Procedure","identifier":[{"system":"urn:x","value":"{{{id}}}"}],"status":"completed",
         "code":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"20553"}]},"subject":{"reference":"Patient/{{{patient}}}"},
         "performedDateTime":"{{{performed}}}","bodySite":[{"coding":[{"system":"http://snomed.info/sct","code":"45048000"}]}]}
        """;

    private async Task<string> RecordedDate(string patient, string id, string performed)
    {
        var response = await _admin.PostAsync("/fhir/Procedure", new StringContent(Procedure(patient, id, performed), Encoding.UTF8, "application/fhir+json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("performedDateTime").GetString()!;
    }

    [Test]
    public async Task Changing_the_time_zone_maps_later_instants_to_dates_in_the_new_zone_and_never_moves_stored_dates()
    {
        var patient = "tz-" + Guid.NewGuid().ToString("N")[..8];
        var settings = await (await _admin.GetAsync("/v1/organization")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(settings.GetProperty("timeZone").GetString(), Is.EqualTo("America/New_York"));
        Assert.That(await RecordedDate(patient, "tz-1-" + patient, "2026-03-06T02:30:00Z"), Is.EqualTo("2026-03-05"), "02:30 UTC is still the 5th in New York");

        var bad = await _admin.PutAsJsonAsync("/v1/organization", new { name = "Clinic", timeZone = "Mars/Olympus" });
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var put = await _admin.PutAsJsonAsync("/v1/organization", new { name = "Clinic in UTC", timeZone = "UTC" });
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Assert.That(await RecordedDate(patient, "tz-2-" + patient, "2026-03-06T02:30:00Z"), Is.EqualTo("2026-03-06"), "the same instant is the 6th in UTC");
        var history = await (await _admin.GetAsync($"/v1/patients/{patient}/injections")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(history.GetProperty("injections").EnumerateArray().Select(i => i.GetProperty("dateOfService").GetString()),
            Is.EqualTo(new[] { "2026-03-05", "2026-03-06" }), "the first record keeps its date");
        await _admin.PutAsJsonAsync("/v1/organization", new { name = "Clinic", timeZone = "America/New_York" });
    }

    [Test]
    public async Task The_operator_creates_an_organization_whose_data_the_first_cannot_see()
    {
        using var anonymous = _factory.Client(null);
        var code = "op-" + Guid.NewGuid().ToString("N")[..10];
        var refused = await anonymous.PostAsJsonAsync("/v1/operator/organizations", new { code, name = "Second clinic", timeZone = "Europe/Berlin" });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        var created = await anonymous.PostAsJsonAsync("/v1/operator/organizations", new { code, name = "Second clinic", timeZone = "Europe/Berlin" });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var again = await anonymous.PostAsJsonAsync("/v1/operator/organizations", new { code, name = "Again", timeZone = "UTC" });
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        using var second = _factory.Client(body.GetProperty("adminKey").GetString());
        var patient = "iso-" + Guid.NewGuid().ToString("N")[..8];
        var recorded = await second.PostAsJsonAsync($"/v1/patients/{patient}/injections", new
        {
            procedure = "trigger-point-injection", site = new { region = "neck", laterality = "left" }, dateOfService = "2026-02-01", plan = "medicare-lcd",
        });
        Assert.That(recorded.StatusCode, Is.EqualTo(HttpStatusCode.Created), "the new organization has the default policies");
        Assert.That((await (await second.GetAsync("/v1/organization")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("timeZone").GetString(), Is.EqualTo("Europe/Berlin"));

        Assert.That((await _admin.GetAsync($"/v1/patients/{patient}/injections")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var search = await (await _admin.GetAsync($"/fhir/Procedure?patient={patient}")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(search.GetProperty("total").GetInt32(), Is.EqualTo(0));
    }

    [Test]
    public async Task A_403_names_the_role_needed()
    {
        var billing = await _factory.ClientWithRoleAsync("billing");
        var forbidden = await billing.PutAsJsonAsync("/v1/organization", new { name = "x", timeZone = "UTC" });
        Assert.That(forbidden.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var problem = await forbidden.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("detail").GetString(), Is.EqualTo("This needs a key with the role admin; this key has the role billing."));
    }
}
