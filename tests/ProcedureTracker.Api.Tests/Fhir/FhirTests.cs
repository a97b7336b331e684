using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProcedureTracker.Api.Tests.Fhir;

public class FhirTests : ApiTest
{
    public static string Example(string name, string patient) =>
        File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fhir", "examples", name)).Replace("Patient/p-1", $"Patient/{patient}");

    private static StringContent FhirJson(string json) => new(json, Encoding.UTF8, "application/fhir+json");

    private async Task<HttpResponseMessage> PostProcedure(string json, string? ifNoneExist = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Procedure") { Content = FhirJson(json) };
        if (ifNoneExist is not null) request.Headers.Add("If-None-Exist", ifNoneExist);
        return await Admin.SendAsync(request);
    }

    [Test]
    public async Task Metadata_is_a_capability_statement()
    {
        var response = await Factory.Client(null).GetAsync("/fhir/metadata");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/fhir+json"));
        var body = await Json(response);
        Assert.That(body.GetProperty("resourceType").GetString(), Is.EqualTo("CapabilityStatement"));
        Assert.That(body.GetProperty("fhirVersion").GetString(), Is.EqualTo("4.0.1"));
    }

    [Test]
    public async Task Conditional_create_is_201_then_200_and_the_mapping_is_stored()
    {
        var patient = NewPatient();
        var json = Example("procedure-esi.json", patient).Replace("PROC-ESI-0001", "PROC-ESI-" + patient);
        var condition = $"identifier=urn:oid:2.16.840.1.113883.19.5.99999.1|PROC-ESI-{patient}";
        var first = await PostProcedure(json, condition);
        var second = await PostProcedure(json, condition);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(first.Headers.Location!.ToString(), Does.StartWith("http://localhost/fhir/Procedure/"));
        var read = await Admin.GetAsync(first.Headers.Location);
        Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the Location can be read back");
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await Json(second)).GetProperty("id").GetString(), Is.EqualTo((await Json(first)).GetProperty("id").GetString()));

        var stored = (await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"))).GetProperty("injections").EnumerateArray().Single();
        Assert.That(stored.GetProperty("procedure").GetString(), Is.EqualTo("epidural-steroid-injection"));
        Assert.That(stored.GetProperty("cptCode").GetString(), Is.EqualTo("62323"));
        Assert.That(stored.GetProperty("site").GetProperty("region").GetString(), Is.EqualTo("lumbar-sacral-spine"));
        Assert.That(stored.GetProperty("dateOfService").GetString(), Is.EqualTo("2026-03-02"), "23:30 in New York is still March 2 there");
        Assert.That(stored.GetProperty("plan").GetString(), Is.EqualTo("medicare-lcd"));
        Assert.That(stored.GetProperty("steroid").GetProperty("mpeMg").GetDecimal(), Is.EqualTo(53.3m));
        Assert.That(stored.GetProperty("externalId").GetString(), Is.EqualTo($"urn:oid:2.16.840.1.113883.19.5.99999.1|PROC-ESI-{patient}"));
    }

    [Test]
    public async Task Conditional_create_matching_several_records_is_412_and_stores_nothing()
    {
        var patient = NewPatient();
        var value = "SHARED-" + patient;
        foreach (var system in new[] { "urn:system:a", "urn:system:b" })
        {
            var json = Example("procedure-esi.json", patient).Replace("urn:oid:2.16.840.1.113883.19.5.99999.1", system).Replace("PROC-ESI-0001", value);
            Assert.That((await PostProcedure(json)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }
        var third = Example("procedure-esi.json", patient).Replace("urn:oid:2.16.840.1.113883.19.5.99999.1", "urn:system:c").Replace("PROC-ESI-0001", value);
        var response = await PostProcedure(third, $"identifier={value}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed));
        Assert.That((await Json(response)).GetProperty("issue")[0].GetProperty("code").GetString(), Is.EqualTo("multiple-matches"));
        Assert.That((await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"))).GetProperty("injections").GetArrayLength(), Is.EqualTo(2));
        Assert.That((await PostProcedure(third, $"identifier=urn:system:a|{value}")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "with a system, one match");
    }

    [Test]
    public async Task Batch_answers_each_entry_with_its_own_status()
    {
        var patient = NewPatient();
        var response = await Admin.PostAsync("/fhir", FhirJson(Example("batch.json", patient).Replace("PROC-", $"{patient}-")));
        var bundle = await Json(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(bundle.GetProperty("type").GetString(), Is.EqualTo("batch-response"));
        var entries = bundle.GetProperty("entry").EnumerateArray().ToList();
        Assert.That(entries.Select(e => e.GetProperty("response").GetProperty("status").GetString()),
            Is.EqualTo(new[] { "201 Created", "400 Bad Request", "400 Bad Request" }));
        var issue = entries[1].GetProperty("response").GetProperty("outcome").GetProperty("issue")[0];
        Assert.That(issue.GetProperty("expression")[0].GetString(), Is.EqualTo("Procedure.bodySite"));
        var stored = (await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"))).GetProperty("injections").EnumerateArray().Single();
        Assert.That((stored.GetProperty("site").GetProperty("laterality").GetString(), stored.GetProperty("dateOfService").GetString()),
            Is.EqualTo(("left", "2026-04-10")));
    }

    [Test]
    public async Task Entered_in_error_voids_the_record_and_search_returns_a_searchset()
    {
        var patient = NewPatient();
        var json = Example("procedure-esi.json", patient).Replace("PROC-ESI-0001", "PROC-V-" + patient);
        Assert.That((await PostProcedure(json)).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var voided = await PostProcedure(json.Replace("\"status\": \"completed\"", "\"status\": \"entered-in-error\""));
        Assert.That(voided.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await Json(voided)).GetProperty("status").GetString(), Is.EqualTo("entered-in-error"));

        var current = (await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"))).GetProperty("injections");
        Assert.That(current.GetArrayLength(), Is.EqualTo(0), "a voided record stops counting");

        var search = await Json(await Admin.GetAsync($"/fhir/Procedure?patient={patient}&date=ge2026-03-01&date=lt2026-03-03"));
        Assert.That(search.GetProperty("type").GetString(), Is.EqualTo("searchset"));
        Assert.That(search.GetProperty("total").GetInt32(), Is.EqualTo(1));
        Assert.That(search.GetProperty("entry")[0].GetProperty("resource").GetProperty("status").GetString(), Is.EqualTo("entered-in-error"));
        var none = await Json(await Admin.GetAsync($"/fhir/Procedure?patient={patient}&date=ge2026-03-03"));
        Assert.That(none.GetProperty("total").GetInt32(), Is.EqualTo(0));
    }

    [Test]
    public async Task Unmappable_resource_is_an_operation_outcome_naming_the_element()
    {
        var node = JsonNode.Parse(Example("procedure-esi.json", NewPatient()))!;
        node["code"]!["coding"]![0]!["code"] = "99999";
        node["status"] = "in-progress";
        var response = await PostProcedure(node.ToJsonString());
        var outcome = await Json(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/fhir+json"));
        Assert.That(outcome.GetProperty("resourceType").GetString(), Is.EqualTo("OperationOutcome"));
        Assert.That(outcome.GetProperty("issue").EnumerateArray().Select(i => i.GetProperty("expression")[0].GetString()),
            Does.Contain("Procedure.status"));
    }
}
