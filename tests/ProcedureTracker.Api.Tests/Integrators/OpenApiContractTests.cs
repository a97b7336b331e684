using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProcedureTracker.Api.Tests.Integrators;

/// <summary>
/// The served OpenAPI document is what a generated client trusts: the README's own request bodies and real responses
/// must validate against its schemas (JSON Schema 2020-12, formats asserted), and every operation carries security,
/// an operationId, a summary and its error statuses.
/// </summary>
public class OpenApiContractTests : ApiTest
{
    private JsonObject _document = null!;

    [OneTimeSetUp]
    public async Task Load()
    {
        _document = JsonNode.Parse(await Factory.Client(null).GetStringAsync("/openapi/v1.json"))!.AsObject();
        Assert.That((await PutAcmeAsync()).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    private void AssertValid(JsonNode schema, string json, string what)
    {
        var errors = new SchemaValidator(_document).Validate(schema, JsonNode.Parse(json));
        Assert.That(errors, Is.Empty, $"{what} does not match the served schema:\n{string.Join("\n", errors.Take(10))}\n{json}");
    }

    private JsonNode Operation(string method, string path) => _document["paths"]![path]![method]!;

    private JsonNode RequestSchema(string method, string path) => Operation(method, path)["requestBody"]!["content"]!["application/json"]!["schema"]!;

    private JsonNode ResponseSchema(string method, string path, string status, string media = "application/json") =>
        Operation(method, path)["responses"]![status]!["content"]![media]!["schema"]!;

    [Test]
    public async Task The_readme_s_bodies_and_real_responses_match_the_served_schemas()
    {
        var bodies = Readme.ReadmeCurls.Steps();
        Assert.That(bodies, Has.Count.GreaterThanOrEqualTo(3));

        var patient = NewPatient();
        foreach (var (method, path, body) in bodies)
        {
            var template = path.StartsWith("/v1/policies/", StringComparison.Ordinal) ? "/v1/policies/{code}"
                : path.StartsWith("/v1/patients/", StringComparison.Ordinal) ? "/v1/patients/{patientId}/injections" : path;
            AssertValid((RequestSchema(method.ToLowerInvariant(), template)), body, $"README {method} {path}");

            var real = path.StartsWith("/v1/patients/", StringComparison.Ordinal) ? $"/v1/patients/{patient}/injections" : path;
            var sent = body.Replace("\"p-1\"", $"\"{patient}\"").Replace("\"ehr-1\"", $"\"ehr-{patient}\"");
            var response = await Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), real) { Content = new StringContent(sent, Encoding.UTF8, "application/json") });
            var status = ((int)response.StatusCode).ToString();
            var answer = await response.Content.ReadAsStringAsync();
            var media = response.Content.Headers.ContentType!.MediaType!;
            AssertValid((ResponseSchema(method.ToLowerInvariant(), template, status, media)), answer, $"the {status} answer of {method} {path}");
        }

        var refused = await Admin.PostAsync("/v1/eligibility", new StringContent("""{"patientId":"x","procedure":"nope"}""", Encoding.UTF8, "application/json"));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        AssertValid((ResponseSchema("post", "/v1/eligibility", "400", "application/problem+json")), await refused.Content.ReadAsStringAsync(), "a 400 problem");

        var list = await Admin.GetAsync($"/v1/patients/{patient}/injections");
        AssertValid((ResponseSchema("get", "/v1/patients/{patientId}/injections", "200")), await list.Content.ReadAsStringAsync(), "the history listing");
        var policies = await Admin.GetAsync("/v1/policies");
        AssertValid((ResponseSchema("get", "/v1/policies", "200")), await policies.Content.ReadAsStringAsync(), "the policy listing");
    }

    [Test]
    public void The_validator_refuses_what_a_schema_does_not_allow()
    {
        var validator = new SchemaValidator(_document);
        Assert.That(validator.Validate(RequestSchema("post", "/v1/eligibility"), JsonNode.Parse("""{"patientId":42}""")), Is.Not.Empty, "a number where a string belongs");
        var answer = JsonNode.Parse("""{"eligible":true,"date":"tomorrow","earliestEligibleDate":null,"violations":[],"usage":[],"warnings":[],"plan":null,"policiesChecked":[]}""");
        Assert.That(validator.Validate(ResponseSchema("post", "/v1/eligibility", "200"), answer), Has.Some.Contains("not a date"));
    }

    [Test]
    public void Every_operation_has_an_id_a_summary_security_and_its_error_statuses()
    {
        Assert.That(_document["components"]!["securitySchemes"]!.AsObject().Select(s => s.Key), Is.EquivalentTo(new[] { "bearer", "apiKey" }));
        var ids = new HashSet<string>();
        foreach (var (path, item) in _document["paths"]!.AsObject())
            foreach (var (method, operation) in item!.AsObject())
            {
                var where = $"{method.ToUpperInvariant()} {path}";
                Assert.That(ids.Add(operation!["operationId"]!.GetValue<string>()), Is.True, $"{where}: duplicate operationId");
                Assert.That(operation["summary"]?.GetValue<string>(), Is.Not.Null.And.Not.Contains(" /"), where);
                var anonymous = operation["security"] is JsonArray { Count: 0 };
                if (anonymous) continue;
                var statuses = operation["responses"]!.AsObject().Select(r => r.Key).ToList();
                Assert.That(statuses, Is.SupersetOf(new[] { "401", "403", "503" }), where);
                var media = path.StartsWith("/fhir", StringComparison.Ordinal) ? "application/fhir+json" : "application/problem+json";
                Assert.That(operation["responses"]!["401"]!["content"]![media], Is.Not.Null, $"{where}: 401 is {media}");
            }
    }

    [Test]
    public void Dates_are_inline_strings_numbers_are_numbers_and_csv_is_declared()
    {
        var schemas = _document["components"]!["schemas"]!.AsObject();
        Assert.That(schemas.ContainsKey("LocalDate"), Is.False, "no shared date component a nullable use would wrap in oneOf");
        var earliest = schemas["EligibilityResponse"]?["properties"]?["earliestEligibleDate"] ?? schemas.Select(s => s.Value?["properties"]?["earliestEligibleDate"]).First(x => x is not null);
        Assert.That(earliest!["oneOf"], Is.Null);
        Assert.That(earliest["format"]?.GetValue<string>(), Is.EqualTo("date"));
        Assert.That(earliest["type"]!.ToJsonString(), Does.Contain("string").And.Contain("null"));
        var stringly = schemas.SelectMany(s => (s.Value?["properties"]?.AsObject() ?? []).Select(p => (Name: $"{s.Key}.{p.Key}", Type: p.Value?["type"]?.ToJsonString() ?? "")))
            .Where(p => p.Type.Contains("integer") && p.Type.Contains("string") || p.Type.Contains("number") && p.Type.Contains("string")).Select(p => p.Name).ToList();
        Assert.That(stringly, Is.Empty, "numbers typed as numbers only");
        foreach (var path in new[] { "/v1/reports/yearly-counts", "/v1/reports/approaching-limits" })
            Assert.That(Operation("get", path)["responses"]!["200"]!["content"]!.AsObject().ContainsKey("text/csv"), Is.True, path);
        var itemless = schemas.SelectMany(s => (s.Value?["properties"]?.AsObject() ?? []).Where(p => (p.Value?["type"]?.ToJsonString() ?? "").Contains("array")
            && p.Value!["items"] is null).Select(p => $"{s.Key}.{p.Key}")).ToList();
        Assert.That(itemless, Is.Empty, "every array says what it holds");
        Assert.That(schemas.ContainsKey("JsonObject"), Is.False, "no unused component");
    }
}
