using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ProcedureTracker.Data.Tests;

namespace ProcedureTracker.Api.Tests.Integrators;

/// <summary>
/// The FHIR door as a standard FHIR client drives it, in raw HTTP as such a client sends it: create (conditional),
/// read by the Location, search by patient and by subject with paging links, batch, and an all-or-nothing transaction.
/// </summary>
public class FhirClientTests : ApiTest
{
    private const string Fhir = "application/fhir+json";

    private static string Procedure(string patient, string id, string date, string cpt = "20553", string region = "45048000") => $$$"""
        {"resourceType":"Procedure","identifier":[{"system":"urn:oid:2.16.840.1.113883.19.5","value":"{{{id}}}"}],"status":"completed",
         "code":{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"{{{cpt}}}"}]},"subject":{"reference":"Patient/{{{patient}}}"},
         "performedDateTime":"{{{date}}}",
         "bodySite":[{"coding":[{"system":"http://snomed.info/sct","code":"{{{region}}}"}],
                      "extension":[{"url":"http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier",
                                    "valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"7771000"}]}}]}]}
        """;

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? body = null, string? accept = Fhir)
    {
        var request = new HttpRequestMessage(method, url);
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, Fhir);
        return Admin.SendAsync(request);
    }

    [Test]
    public async Task Create_read_and_search_by_patient_and_subject_with_paging_links()
    {
        var patient = NewPatient();
        var created = await SendAsync(HttpMethod.Post, "/fhir/Procedure", Procedure(patient, "C-" + patient, "2026-01-10"));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(await SendAsync(HttpMethod.Post, "/fhir/Procedure", Procedure(patient, "D-" + patient, "2026-03-10")), Has.Property("StatusCode").EqualTo(HttpStatusCode.Created));

        var read = await SendAsync(HttpMethod.Get, created.Headers.Location!.ToString());
        var resource = await Json(read);
        Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(read.Headers.ETag?.ToString(), Is.EqualTo("W/\"1\""));
        Assert.That(resource.GetProperty("meta").GetProperty("versionId").GetString(), Is.EqualTo("1"));
        var laterality = resource.GetProperty("bodySite")[0].GetProperty("extension")[0];
        Assert.That(laterality.GetProperty("valueCodeableConcept").GetProperty("coding")[0].GetProperty("code").GetString(), Is.EqualTo("7771000"), "left, as a qualifier");

        foreach (var query in new[] { $"patient={patient}", $"subject=Patient/{patient}" })
        {
            var bundle = await Json(await SendAsync(HttpMethod.Get, $"/fhir/Procedure?{query}"));
            Assert.That(bundle.GetProperty("total").GetInt32(), Is.EqualTo(2), query);
            Assert.That(bundle.GetProperty("entry")[0].GetProperty("fullUrl").GetString(), Does.StartWith("http://localhost/fhir/Procedure/"));
            Assert.That(bundle.GetProperty("link")[0].GetProperty("relation").GetString(), Is.EqualTo("self"));
        }

        var page1 = await Json(await SendAsync(HttpMethod.Get, $"/fhir/Procedure?patient={patient}&_count=1"));
        Assert.That(page1.GetProperty("entry").GetArrayLength(), Is.EqualTo(1));
        var next = page1.GetProperty("link").EnumerateArray().Single(l => l.GetProperty("relation").GetString() == "next").GetProperty("url").GetString()!;
        var page2 = await Json(await SendAsync(HttpMethod.Get, next));
        Assert.That(page2.GetProperty("entry").GetArrayLength(), Is.EqualTo(1));
        Assert.That(page2.GetProperty("link").EnumerateArray().Any(l => l.GetProperty("relation").GetString() == "next"), Is.False);
        Assert.That(page2.GetProperty("entry")[0].GetProperty("resource").GetProperty("id").GetString(),
            Is.Not.EqualTo(page1.GetProperty("entry")[0].GetProperty("resource").GetProperty("id").GetString()));
    }

    [Test]
    public async Task A_transaction_records_every_entry_or_none()
    {
        var (a, b) = (NewPatient(), NewPatient());
        static string Bundle(string type, params string[] resources) =>
            "{\"resourceType\":\"Bundle\",\"type\":\"" + type + "\",\"entry\":[" +
            string.Join(",", resources.Select(r => "{\"resource\":" + r + ",\"request\":{\"method\":\"POST\",\"url\":\"Procedure\"}}")) + "]}";

        var failed = await SendAsync(HttpMethod.Post, "/fhir", Bundle("transaction", Procedure(a, "T1-" + a, "2026-02-01"), Procedure(b, "T2-" + b, "2026-02-01", cpt: "99999")));
        var outcome = await Json(failed);
        Assert.That(failed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(outcome.GetProperty("resourceType").GetString(), Is.EqualTo("OperationOutcome"));
        Assert.That(outcome.GetProperty("issue")[0].GetProperty("expression")[0].GetString(), Does.StartWith("Bundle.entry[1]"));
        Assert.That((await Json(await SendAsync(HttpMethod.Get, $"/fhir/Procedure?patient={a}"))).GetProperty("total").GetInt32(), Is.EqualTo(0),
            "the good first entry was not stored either");

        var done = await SendAsync(HttpMethod.Post, "/fhir", Bundle("transaction", Procedure(a, "T1-" + a, "2026-02-01"), Procedure(b, "T2-" + b, "2026-02-01")));
        var response = await Json(done);
        Assert.That(done.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.GetProperty("type").GetString(), Is.EqualTo("transaction-response"));
        Assert.That(response.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response").GetProperty("status").GetString()),
            Is.EqualTo(new[] { "201 Created", "201 Created" }));

        var batch = await Json(await SendAsync(HttpMethod.Post, "/fhir", Bundle("batch", Procedure(a, "T1-" + a, "2026-02-01"), Procedure(b, "B3-" + b, "2026-04-01"))));
        Assert.That(batch.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response").GetProperty("status").GetString()),
            Is.EqualTo(new[] { "200 OK", "201 Created" }), "a batch retry of a recorded entry answers 200");
    }

    [Test]
    public async Task Other_formats_get_406_and_errors_are_operation_outcomes()
    {
        var xml = await SendAsync(HttpMethod.Get, "/fhir/metadata", accept: "application/fhir+xml");
        Assert.That(xml.StatusCode, Is.EqualTo(HttpStatusCode.NotAcceptable));
        Assert.That((await Json(xml)).GetProperty("resourceType").GetString(), Is.EqualTo("OperationOutcome"));

        var metadata = await Json(await SendAsync(HttpMethod.Get, "/fhir/metadata"));
        Assert.That(metadata.GetProperty("implementation").GetProperty("url").GetString(), Is.EqualTo("http://localhost/fhir"), "cpb-14: kind instance has implementation");

        var missing = await SendAsync(HttpMethod.Get, $"/fhir/Procedure/{Guid.NewGuid()}");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await Json(missing)).GetProperty("resourceType").GetString(), Is.EqualTo("OperationOutcome"));
        var anonymous = await Factory.Client(null).GetAsync("/fhir/Procedure?patient=x");
        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(anonymous.Content.Headers.ContentType?.MediaType, Is.EqualTo(Fhir));
    }
}

/// <summary>
/// CDS Hooks as browser-based and server-side EHRs call it: CORS for the configured origins, Coverage fetched from the
/// EHR's FHIR server (a stand-in HTTP listener here) when not prefetched, and CRD answers that never claim coverage for a
/// plan nobody checked.
/// </summary>
public class CdsIntegrationTests
{
    private const string Origin = "https://sandbox.cds-hooks.org";
    private ApiFactory _factory = null!;
    private HttpClient _admin = null!;
    private HttpListener _fhir = null!;
    private string _fhirBase = "";
    private readonly List<string?> _authorizations = [];
    private string _coveragePlan = "acme-ppo";

    [OneTimeSetUp]
    public async Task Start()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); port = ((IPEndPoint)probe.LocalEndpoint).Port; }
        _fhirBase = $"http://127.0.0.1:{port}/fhir";
        _fhir = new HttpListener();
        _fhir.Prefixes.Add($"http://127.0.0.1:{port}/");
        _fhir.Start();
        _ = Task.Run(ServeFhirAsync);

        _factory = new ApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string>
        {
            ["PT_CDS_CORS_ORIGINS"] = Origin, ["PT_CDS_FHIR_SERVERS"] = _fhirBase, ["PT_CDS_FHIR_ALLOW_PRIVATE"] = "true",
        });
        _admin = _factory.Admin();
        var put = await _admin.PutAsync("/v1/policies/acme-ppo", new StringContent("""
            {"name":"ACME PPO","rules":[{"id":"tpi-year","kind":"max-sessions","procedures":["trigger-point-injection"],"scope":"patient","max":1,"window":"calendar-year"}]}
            """, Encoding.UTF8, "application/json"));
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [OneTimeTearDown]
    public void Stop() { _fhir.Stop(); _fhir.Close(); _factory.Dispose(); }

    /// <summary>A stand-in FHIR server: Coverage?patient=...&amp;status=active answers a searchset with one Coverage.</summary>
    private async Task ServeFhirAsync()
    {
        while (_fhir.IsListening)
        {
            HttpListenerContext context;
            try { context = await _fhir.GetContextAsync(); } catch { return; }
            lock (_authorizations) _authorizations.Add(context.Request.Headers["Authorization"]);
            var patient = context.Request.QueryString["patient"];
            var body = $$$"""
                {"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Coverage","id":"cov-9","status":"active",
                  "beneficiary":{"reference":"Patient/{{{patient}}}"},
                  "class":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/coverage-class","code":"plan"}]},"value":"{{{_coveragePlan}}}"}]}}]}
                """;
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.ContentType = "application/fhir+json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static string OrderSign(string patient, string? fhirServer, bool prefetch, string plan = "acme-ppo")
    {
        var server = fhirServer is null ? "" : $",\"fhirServer\":\"{fhirServer}\"";
        var coverage = prefetch
            ? ",\"prefetch\":{\"coverage\":{\"resourceType\":\"Coverage\",\"id\":\"cov-1\",\"status\":\"active\",\"class\":[{\"type\":{\"coding\":[{\"code\":\"plan\"}]},\"value\":\"" + plan + "\"}]}}"
            : "";
        return "{\"hookInstance\":\"" + Guid.NewGuid() + "\",\"hook\":\"order-sign\"" + server +
               ",\"fhirAuthorization\":{\"access_token\":\"tok-123\",\"token_type\":\"Bearer\",\"expires_in\":300,\"scope\":\"patient/Coverage.read\",\"subject\":\"pt\"}" +
               ",\"context\":{\"userId\":\"PractitionerRole/1\",\"patientId\":\"" + patient + "\",\"draftOrders\":{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[" +
               "{\"resource\":{\"resourceType\":\"ServiceRequest\",\"id\":\"sr-1\",\"status\":\"draft\",\"intent\":\"order\"," +
               "\"code\":{\"coding\":[{\"system\":\"http://www.ama-assn.org/go/cpt\",\"code\":\"20553\"}]},\"subject\":{\"reference\":\"Patient/" + patient + "\"}," +
               "\"occurrenceDateTime\":\"2026-11-30\",\"bodySite\":[{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"45048000\"}]}]}}]}}" +
               coverage + "}";
    }

    private async Task<JsonElement> CallAsync(string json)
    {
        var response = await _admin.PostAsync("/cds-services/procedure-limits-order-sign", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static JsonElement Coverage(JsonElement answer) =>
        answer.GetProperty("systemActions")[0].GetProperty("resource").GetProperty("extension").EnumerateArray()
            .Single(e => e.GetProperty("url").GetString()!.EndsWith("ext-coverage-information"));

    private static string? Part(JsonElement coverage, string url) =>
        coverage.GetProperty("extension").EnumerateArray().Where(e => e.GetProperty("url").GetString() == url)
            .Select(e => e.TryGetProperty("valueCode", out var v) ? v.GetString() : e.GetProperty("valueCodeableConcept").GetProperty("text").GetString()).FirstOrDefault();

    [Test]
    public async Task Preflight_answers_an_allowed_origin_and_refuses_another()
    {
        async Task<HttpResponseMessage> Preflight(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, "/cds-services/procedure-limits-order-sign");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
            return await _factory.Client(null).SendAsync(request);
        }

        var allowed = await Preflight(Origin);
        Assert.That((int)allowed.StatusCode, Is.InRange(200, 204));
        Assert.That(allowed.Headers.GetValues("Access-Control-Allow-Origin"), Is.EqualTo(new[] { Origin }));
        Assert.That(string.Join(",", allowed.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant(), Does.Contain("authorization"));

        var other = await Preflight("https://evil.example");
        Assert.That(other.Headers.Contains("Access-Control-Allow-Origin"), Is.False);
    }

    [Test]
    public async Task An_unknown_plan_is_never_asserted_covered()
    {
        var answer = await CallAsync(OrderSign("cds-" + Guid.NewGuid().ToString("N")[..8], null, prefetch: true, plan: "no-such-plan"));
        var coverage = Coverage(answer);
        Assert.That(Part(coverage, "covered"), Is.EqualTo("conditional"));
        Assert.That(Part(coverage, "reason"), Does.Contain("no-such-plan"));
        Assert.That(Part(coverage, "pa-needed"), Is.EqualTo("conditional"), "CRD 2.0.1: pa-needed with every covered but not-covered");
    }

    [Test]
    public async Task Not_covered_carries_no_pa_needed_and_cards_link_to_the_patient_page()
    {
        var patient = "cds-" + Guid.NewGuid().ToString("N")[..8];
        var recorded = await _admin.PostAsync($"/v1/patients/{patient}/injections", new StringContent("""
            {"procedure":"trigger-point-injection","site":{"region":"neck","laterality":"none"},"dateOfService":"2026-02-01","plan":"acme-ppo"}
            """, Encoding.UTF8, "application/json"));
        Assert.That(recorded.StatusCode, Is.EqualTo(HttpStatusCode.Created));

        var answer = await CallAsync(OrderSign(patient, null, prefetch: true));
        var coverage = Coverage(answer);
        Assert.That(Part(coverage, "covered"), Is.EqualTo("not-covered"));
        Assert.That(Part(coverage, "pa-needed"), Is.Null, "crd-ci-q2");
        var link = answer.GetProperty("cards")[0].GetProperty("links")[0];
        Assert.That(link.GetProperty("url").GetString(), Is.EqualTo($"http://localhost/patients/{patient}"));
        Assert.That(link.GetProperty("type").GetString(), Is.EqualTo("absolute"));
    }

    [Test]
    public async Task Without_a_prefetch_coverage_is_fetched_from_the_fhir_server_with_the_ehr_s_token()
    {
        var patient = "cds-" + Guid.NewGuid().ToString("N")[..8];
        lock (_authorizations) _authorizations.Clear();
        var answer = await CallAsync(OrderSign(patient, _fhirBase, prefetch: false));

        lock (_authorizations) Assert.That(_authorizations, Is.EqualTo(new[] { "Bearer tok-123" }));
        var coverage = Coverage(answer);
        Assert.That(Part(coverage, "covered"), Is.EqualTo("covered"), "acme-ppo from the fetched Coverage was checked");
        Assert.That(coverage.GetProperty("extension").EnumerateArray().Single(e => e.GetProperty("url").GetString() == "coverage")
            .GetProperty("valueReference").GetProperty("reference").GetString(), Is.EqualTo("Coverage/cov-9"));
    }

    [Test]
    public async Task A_fhir_server_url_that_only_looks_allowed_is_never_fetched()
    {
        var allowed = new Uri(_fhirBase);
        string[] lookalikes =
        [
            $"http://ehr.example.org@{allowed.Authority}/fhir",       // user-info: the host is what follows the @
            $"http://{allowed.Host}:{allowed.Port}@evil.example/fhir",
            $"http://{allowed.Authority}/fhirx",                      // a prefix, not a path segment
            $"http://{allowed.Host}:{allowed.Port + 1}/fhir",         // another port
            $"https://{allowed.Authority}/fhir",                      // another scheme
        ];
        foreach (var url in lookalikes)
        {
            lock (_authorizations) _authorizations.Clear();
            var answer = await CallAsync(OrderSign("cds-" + Guid.NewGuid().ToString("N")[..8], url, prefetch: false));
            lock (_authorizations) Assert.That(_authorizations, Is.Empty, $"{url} was fetched (with the EHR's token)");
            Assert.That(answer.TryGetProperty("systemActions", out _), Is.False, $"{url}: no Coverage, so no coverage-information (its coverage element is required)");
        }
        Assert.That(ProcedureTracker.Api.CdsHooks.CoverageFetcher.IsAllowed(new Uri("http://ehr.example.org.evil.example/fhir"), "http://ehr.example.org/fhir"), Is.False);
        Assert.That(ProcedureTracker.Api.CdsHooks.CoverageFetcher.IsAllowed(new Uri("http://EHR.example.org/fhir/r4"), "http://ehr.example.org/fhir/"), Is.True);
    }

    [Test]
    public async Task A_loopback_fhir_server_is_refused_unless_the_operator_allows_private_addresses()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new ProcedureTracker.Api.Infrastructure.TrackerOptions { CdsFhirServers = _fhirBase });
        using var http = new HttpClient(ProcedureTracker.Api.CdsHooks.CoverageFetcher.CreateHandler(allowPrivate: false));
        var fetcher = new ProcedureTracker.Api.CdsHooks.CoverageFetcher(http, options,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ProcedureTracker.Api.CdsHooks.CoverageFetcher>.Instance);
        lock (_authorizations) _authorizations.Clear();
        var (coverage, problem) = await fetcher.FetchAsync(_fhirBase, "tok-123", "p-1", CancellationToken.None);
        Assert.That(coverage, Is.Null);
        Assert.That(problem, Is.EqualTo(ProcedureTracker.Api.CdsHooks.CoverageFetcher.Unreachable));
        lock (_authorizations) Assert.That(_authorizations, Is.Empty);
    }

    [Test]
    public async Task When_coverage_cannot_be_had_a_card_says_payer_limits_were_not_checked()
    {
        var answer = await CallAsync(OrderSign("cds-" + Guid.NewGuid().ToString("N")[..8], "https://not-allowed.example/fhir", prefetch: false));
        var card = answer.GetProperty("cards").EnumerateArray().Single();
        Assert.That(card.GetProperty("summary").GetString() + card.GetProperty("detail").GetString(), Does.Contain("The payer's limits were not checked"));
        Assert.That(answer.TryGetProperty("systemActions", out _), Is.False, "coverage-information needs a Coverage to speak of");
    }
}
