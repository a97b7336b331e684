using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace ProcedureTracker.Api.Tests.Injections;

/// <summary>The levels of a session (spinal levels or joints) on every recording door: JSON, CSV, FHIR (the web page's own test keeps them on Correct).</summary>
public class LevelsTests : ApiTest
{
    private static object Esi(string date, int? levels, string? externalId = null) => new
    {
        procedure = "epidural-steroid-injection", site = new { region = "lumbar-sacral-spine", laterality = "none", detail = "L4-L5" },
        dateOfService = date, externalId, levels,
    };

    [Test]
    public async Task Levels_are_stored_answered_and_default_to_one()
    {
        var patient = NewPatient();
        var two = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Esi("2026-01-10", 2));
        Assert.That(two.StatusCode, Is.EqualTo(HttpStatusCode.Created), await two.Content.ReadAsStringAsync());
        Assert.That((await Json(two)).GetProperty("levels").GetInt32(), Is.EqualTo(2));
        var one = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Esi("2026-03-10", null));
        Assert.That((await Json(one)).GetProperty("levels").GetInt32(), Is.EqualTo(1));
        var listed = (await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"))).GetProperty("injections").EnumerateArray()
            .Select(i => i.GetProperty("levels").GetInt32()).Order().ToList();
        Assert.That(listed, Is.EqualTo(new[] { 1, 2 }));
    }

    [TestCase(0)]
    [TestCase(11)]
    public async Task Levels_outside_one_to_ten_are_a_400_naming_the_field(int levels)
    {
        var patient = NewPatient();
        var response = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Esi("2026-01-10", levels));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await Json(response)).GetProperty("errors").TryGetProperty("levels", out _));
    }

    [Test]
    public async Task A_retry_is_told_from_a_different_record_by_its_levels()
    {
        var patient = NewPatient();
        var ext = "lv-" + Guid.NewGuid().ToString("N")[..8];
        Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Esi("2026-01-10", 2, ext))).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Esi("2026-01-10", 2, ext))).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the same record again is a replay");
        Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Esi("2026-01-10", 3, ext))).StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task The_csv_levels_column_is_read_and_a_bad_one_rejects_its_row()
    {
        var patient = NewPatient();
        var csv = "patientId,procedure,region,laterality,dateOfService,externalId,levels\n" +
                  $"{patient},epidural-steroid-injection,lumbar-sacral-spine,none,2026-01-05,{patient}-a,2\n" +
                  $"{patient},epidural-steroid-injection,lumbar-sacral-spine,none,2026-02-05,{patient}-b,two\n" +
                  $"{patient},epidural-steroid-injection,lumbar-sacral-spine,none,2026-03-05,{patient}-c,\n";
        var answer = await Json(await Admin.PostAsync("/v1/imports", new StringContent(csv, Encoding.UTF8, "text/csv")));
        Assert.That(answer.GetProperty("imported").GetInt32(), Is.EqualTo(2));
        Assert.That(answer.GetProperty("rejected")[0].GetProperty("errors").TryGetProperty("levels", out _));
        var stored = (await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"))).GetProperty("injections").EnumerateArray()
            .ToDictionary(i => i.GetProperty("externalId").GetString()!, i => i.GetProperty("levels").GetInt32());
        Assert.That(stored, Is.EqualTo(new Dictionary<string, int> { [$"{patient}-a"] = 2, [$"{patient}-c"] = 1 }));
    }

    [Test]
    public async Task Csv_headers_match_whatever_their_case_and_an_unknown_column_is_refused_by_name()
    {
        var patient = NewPatient();
        var capitalised = "PatientId,Procedure,Region,Laterality,DateOfService,ExternalId,Levels\n" +
                          $"{patient},epidural-steroid-injection,lumbar-sacral-spine,none,2026-01-05,{patient}-cap,3\n";
        var answer = await Json(await Admin.PostAsync("/v1/imports", new StringContent(capitalised, Encoding.UTF8, "text/csv")));
        Assert.That(answer.GetProperty("imported").GetInt32(), Is.EqualTo(1));
        var stored = (await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"))).GetProperty("injections")[0];
        Assert.That(stored.GetProperty("levels").GetInt32(), Is.EqualTo(3), "a capitalised Levels column is read, not dropped");

        var misspelt = "patientId,procedure,region,laterality,dateOfService,externalId,level\n" +
                       $"{patient},epidural-steroid-injection,lumbar-sacral-spine,none,2026-02-05,{patient}-lvl,3\n";
        var refused = await Admin.PostAsync("/v1/imports", new StringContent(misspelt, Encoding.UTF8, "text/csv"));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("Unknown column(s): level"));
    }

    [Test]
    public async Task Fhir_carries_levels_as_an_extension_both_ways()
    {
        var patient = NewPatient();
        var body = $$"""
            {"resourceType":"Procedure","status":"completed","subject":{"reference":"Patient/{{patient}}"},
             "identifier":[{"system":"urn:test","value":"{{patient}}"}],
             "code":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"62323"}]},
             "bodySite":[{"coding":[{"system":"http://snomed.info/sct","code":"122496007"}]}],"performedDateTime":"2026-04-01",
             "extension":[{"url":"http://proceduretracker.org/fhir/StructureDefinition/levels","valueInteger":2}]}
            """;
        var created = await Admin.PostAsync("/fhir/Procedure", new StringContent(body, Encoding.UTF8, "application/fhir+json"));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var resource = await Json(created);
        var levels = resource.GetProperty("extension").EnumerateArray()
            .Single(e => e.GetProperty("url").GetString() == "http://proceduretracker.org/fhir/StructureDefinition/levels");
        Assert.That(levels.GetProperty("valueInteger").GetInt32(), Is.EqualTo(2));
        var listed = (await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"))).GetProperty("injections")[0];
        Assert.That(listed.GetProperty("levels").GetInt32(), Is.EqualTo(2));
    }
}
