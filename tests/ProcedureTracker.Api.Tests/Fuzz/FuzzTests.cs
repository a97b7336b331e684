using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using ProcedureTracker.Data.Tests;

namespace ProcedureTracker.Api.Tests.Fuzz;

/// <summary>
/// Malformed and hostile requests over every endpoint, as a buggy EHR or an attacker would send them: valid example
/// bodies with random parts replaced (wrong shapes, NUL, control characters, lone surrogates, invalid UTF-8, duplicate
/// keys, huge numbers, deep nesting), broken syntax, odd content types and Accept headers, hostile path and query
/// values, bad keys. Seeded (<c>PT_FUZZ_SEED</c>, default 1) and reproducible. Every answer must be below 500, a refusal
/// must be in its door's error format, a refused request must store nothing, and the service must stay ready.
/// </summary>
public class FuzzTests : ApiTest
{
    private const int Requests = 10_000;

    private static readonly string[] Hostile =
    [
        "\u0000", "a\u0000b", "\u0001", "\u001b[31m", "\u007f", "\u0085", "\t", "", " ", new string('x', 5000), "é", "😀", "Patient/",
        "../../etc/passwd", "' or 1=1 --", "<script>", "%00", "1e400", "-1", "0", "2026-02-30", "0001-01-01", "9999-12-31", "e", "ge", "null",
    ];

    // Escaped in JSON text: an unpaired surrogate (the JSON is valid; the string is not Unicode).
    private const string LoneSurrogate = "\"\\ud800\"";

    private string _org = "";

    [OneTimeSetUp]
    public async Task Plan()
    {
        // The fuzzer sends hundreds of bad keys from one address; the failed-key limit (tested on its own) would then
        // answer 429 to everything else it sends.
        Factory.Dispose();
        Factory = new ApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string> { ["PT_FAILED_KEYS_PER_MINUTE"] = "100000" });
        Admin = Factory.Admin();
        Assert.That((await PutAcmeAsync()).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        _org = Factory.OrganizationCode;
    }

    [Test]
    public async Task Thousands_of_malformed_requests_get_a_4xx_in_their_door_s_format_and_store_nothing()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("PT_FUZZ_SEED"), out var s) ? s : 1;
        var random = new Random(seed);
        var billing = await Factory.ClientWithRoleAsync("billing");
        var anonymous = Factory.Client(null);
        var byStatus = new SortedDictionary<int, int>();
        var failures = new List<string>();

        await using var db = new NpgsqlConnection(TestDatabase.ConnectionString);
        await db.OpenAsync();
        var before = await CountsAsync(db);

        for (var i = 0; i < Requests; i++)
        {
            var request = Generate(random, i);
            var client = random.Next(20) switch { 0 => anonymous, 1 => billing, _ => Admin };
            HttpResponseMessage response;
            try { response = await client.SendAsync(request.Message); }
            catch (Exception e) { failures.Add($"#{i} {request}: client error {e.GetType().Name}: {e.Message}"); continue; }
            var status = (int)response.StatusCode;
            byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
            var body = await response.Content.ReadAsStringAsync();
            var after = await CountsAsync(db);

            if (status >= 500) failures.Add($"#{i} {request}: {status} {Cut(body)}");
            else if (status >= 400 && FormatProblem(request.Path, response, body) is { } format) failures.Add($"#{i} {request}: {status} {format}");
            if (status >= 400 && after != before) failures.Add($"#{i} {request}: refused with {status} but stored something ({before} -> {after})");
            before = after;
            if (failures.Count > 20) break;
        }

        var ready = await anonymous.GetAsync("/health/ready");
        TestContext.Out.WriteLine($"fuzz seed {seed}: {Requests} requests; by status: {string.Join(", ", byStatus.Select(p => $"{p.Key}: {p.Value}"))}");
        Assert.That(failures, Is.Empty, $"seed {seed} (replay: PT_FUZZ_SEED={seed})\n" + string.Join("\n", failures.Take(20)));
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(byStatus.Keys.Count(k => k is >= 400 and < 500), Is.GreaterThanOrEqualTo(4), "the fuzzer reaches several kinds of refusal");
    }

    /// <summary>What the organization has stored: injections, policy versions, keys, audit rows of writes (reads and refusals are audited a moment later, in batches).</summary>
    private async Task<(long, long, long, long)> CountsAsync(NpgsqlConnection db) =>
        await db.QuerySingleAsync<(long, long, long, long)>("""
            select (select count(*) from injections i where i.organization_id = o.id),
                   (select count(*) from policy_versions v where v.organization_id = o.id),
                   (select count(*) from api_keys k where k.organization_id = o.id),
                   (select count(*) from audit_log a where a.organization_id = o.id and a.action not in ('read', 'export', 'forbidden'))
            from organizations o where o.code = @org
            """, new { org = _org });

    /// <summary>Why an error answer is not in its door's format; null when it is.</summary>
    private static string? FormatProblem(string path, HttpResponseMessage response, string body)
    {
        var type = response.Content.Headers.ContentType?.MediaType;
        try
        {
            var json = JsonDocument.Parse(body).RootElement;
            if (path.StartsWith("/fhir", StringComparison.Ordinal))
                return type == "application/fhir+json" && json.GetProperty("resourceType").GetString() == "OperationOutcome"
                    ? null : $"not an OperationOutcome ({type}): {Cut(body)}";
            return type == "application/problem+json" && json.GetProperty("status").GetInt32() == (int)response.StatusCode
                ? null : $"not problem+json with the status ({type}): {Cut(body)}";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"error body is not the door's JSON ({type}): {Cut(body)}";
        }
    }

    private static string Cut(string s) => s.Length > 300 ? s[..300] + "…" : s;

    private sealed record FuzzRequest(HttpRequestMessage Message, string Path, string Description)
    {
        public override string ToString() => Description;
    }

    private enum Door { Json, Fhir, Cds, Csv, None }

    private sealed record Endpoint(string Method, string Path, Door Door, Func<string>? Example);

    private static readonly Endpoint[] Endpoints =
    [
        new("GET", "/health/ready", Door.None, null),
        new("GET", "/v1/procedures", Door.None, null),
        new("GET", "/v1/regions", Door.None, null),
        new("GET", "/v1/steroid-drugs", Door.None, null),
        new("POST", "/v1/api-keys", Door.Json, () => """{"name":"fuzz key","role":"billing"}"""),
        new("GET", "/v1/api-keys", Door.None, null),
        new("DELETE", "/v1/api-keys/{guid}", Door.None, null),
        new("PUT", "/v1/policies/{code}", Door.Json, () => """
            {"name":"Fuzz PPO","planYearStart":"07-01","alwaysApply":false,"effectiveFrom":"2026-01-01",
             "rules":[{"id":"gap","kind":"min-interval","procedures":["trigger-point-injection"],"scope":"site","days":7},
                      {"id":"cap","kind":"max-sessions","procedures":["*"],"scope":"patient","max":4,"window":"calendar-year"},
                      {"id":"dose","kind":"max-steroid-dose","procedures":["*"],"scope":"patient","maxMpeMg":200,"window":"rolling-12-months"}]}
            """),
        new("GET", "/v1/policies", Door.None, null),
        new("GET", "/v1/policies/{code}", Door.None, null),
        new("POST", "/v1/patients/{patient}/injections", Door.Json, () => """
            {"procedure":"trigger-point-injection","cptCode":"20553","site":{"region":"neck","laterality":"right","detail":"trapezius"},
             "steroid":{"drug":"triamcinolone","doseMg":40},"dateOfService":"2026-03-05","plan":"acme-ppo","externalId":"fuzz-1",
             "providerId":"1234567890","imageGuidance":"ultrasound","override":{"reason":"documented relief"}}
            """),
        new("GET", "/v1/patients/{patient}/injections", Door.None, null),
        new("POST", "/v1/patients/{patient}/injections/{guid}/void", Door.Json, () => """{"reason":"entered on the wrong patient"}"""),
        new("POST", "/v1/eligibility", Door.Json, () => """
            {"patientId":"p-fuzz","procedure":"epidural-steroid-injection","site":{"region":"lumbar-sacral-spine","laterality":"none"},
             "steroid":{"drug":"dexamethasone","doseMg":10},"date":"2026-03-10","plan":"medicare-lcd"}
            """),
        new("GET", "/v1/reports/yearly-counts", Door.None, null),
        new("GET", "/v1/reports/approaching-limits", Door.None, null),
        new("POST", "/v1/imports", Door.Csv, () => """
            patientId,procedure,cptCode,region,laterality,detail,steroidDrug,steroidDoseMg,dateOfService,plan,externalId,providerId,imageGuidance
            p-1001,trigger-point-injection,20553,neck,left,"trapezius, upper",triamcinolone,40,2026-01-12,medicare-lcd,old-55101,1234567890,ultrasound
            p-1002,epidural-steroid-injection,62323,lumbar-sacral-spine,none,L4-L5,dexamethasone,10,2026-02-03,,old-55107,,fluoroscopy
            """),
        new("GET", "/fhir/metadata", Door.None, null),
        new("POST", "/fhir/Procedure", Door.Fhir, () => Example("Fhir/examples/procedure-esi.json")),
        new("POST", "/fhir", Door.Fhir, () => Example("Fhir/examples/batch.json")),
        new("GET", "/fhir/Procedure", Door.None, null),
        new("GET", "/cds-services", Door.None, null),
        new("GET", "/v1/imports/{guid}", Door.None, null),
        new("GET", "/v1/organization", Door.None, null),
        new("PUT", "/v1/organization", Door.Json, () => """{"name":"Fuzz clinic","timeZone":"America/New_York"}"""),
        new("POST", "/v1/operator/organizations", Door.Json, () => """{"code":"fuzz-org","name":"Fuzz","timeZone":"UTC"}"""),
        new("GET", "/fhir/Procedure/{guid}", Door.None, null),
        new("GET", "/fhir/Patient/{patient}", Door.None, null),
        new("GET", "/v1/no-such-thing", Door.None, null),
        new("POST", "/cds-services/{code}", Door.Cds, () => Example("CdsHooks/examples/order-sign.json")),
        new("POST", "/cds-services/procedure-limits-order-sign", Door.Cds, () => Example("CdsHooks/examples/order-sign.json")),
        new("POST", "/cds-services/procedure-limits-order-select", Door.Cds, () => Example("CdsHooks/examples/order-sign.json").Replace("order-sign", "order-select")),
        new("POST", "/cds-services/procedure-limits-appointment-book", Door.Cds, () => Example("CdsHooks/examples/appointment-book.json")),
        new("POST", "/cds-services/procedure-limits-order-sign/feedback", Door.Cds, () => """
            {"feedback":[{"card":"0b1ab8a5-4b1e-4c8c-9c5e-5e2a1c7b9f10","outcome":"overridden",
              "overrideReason":{"reason":{"code":"documented-relief","system":"http://proceduretracker.org/fhir/CodeSystem/override-reason"},"userComment":"x"},
              "outcomeTimestamp":"2026-11-21T15:04:05Z"}]}
            """),
    ];

    private static readonly Dictionary<string, string[]> Queries = new()
    {
        ["/v1/reports/yearly-counts"] = ["year", "basis", "plan", "format"],
        ["/v1/reports/approaching-limits"] = ["date", "plan", "format"],
        ["/fhir/Procedure"] = ["patient", "date", "subject"],
        ["/v1/policies/{code}"] = ["asOf"],
        ["/v1/policies"] = ["asOf"],
        ["/v1/patients/{patient}/injections"] = ["includeVoided"],
    };

    private static string Example(string file) =>
        File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, file)).Replace("\"p-1\"", "\"p-fuzz\"").Replace("Patient/p-1", "Patient/p-fuzz");

    private static FuzzRequest Generate(Random random, int i)
    {
        var endpoint = Endpoints[random.Next(Endpoints.Length)];
        var notes = new List<string>();
        var method = endpoint.Method;
        if (random.Next(25) == 0) { method = Pick(random, ["GET", "POST", "PUT", "DELETE", "PATCH"]); notes.Add("method"); }

        // The in-memory test server cannot send a NUL in a path (Kestrel refuses one before routing): paths get the rest.
        var pathHostile = Hostile.Where(h => !h.Contains('\u0000')).ToArray();
        var path = endpoint.Path
            .Replace("{guid}", random.Next(4) == 0 ? Escape(Pick(random, pathHostile)) : Guid.NewGuid().ToString())
            .Replace("{code}", random.Next(3) == 0 ? Escape(Pick(random, pathHostile)) : "fuzz-" + random.Next(5))
            .Replace("{patient}", random.Next(3) == 0 ? Escape(Pick(random, pathHostile)) : "p-fuzz-" + random.Next(50));
        var query = new List<string>();
        foreach (var name in Queries.GetValueOrDefault(endpoint.Path) ?? [])
            if (random.Next(2) == 0)
                query.Add($"{name}={Escape(random.Next(3) == 0 ? Pick(random, Hostile) : Plausible(random, name))}");
        if (random.Next(10) == 0) query.Add($"{Escape(Pick(random, Hostile))}={Escape(Pick(random, Hostile))}");
        var url = path + (query.Count > 0 ? "?" + string.Join('&', query) : "");

        var message = new HttpRequestMessage(new HttpMethod(method), url);
        if (endpoint.Example is { } example && method is "POST" or "PUT")
        {
            var (bytes, what) = endpoint.Door == Door.Csv ? CorruptCsv(random, example()) : CorruptJson(random, example());
            notes.Add(what);
            var content = new ByteArrayContent(bytes);
            var type = random.Next(8) == 0
                ? Pick(random, ["text/plain", "application/xml", "text/csv", "application/json", "application/fhir+json", "multipart/form-data", ""])
                : endpoint.Door switch { Door.Csv => "text/csv", Door.Fhir => "application/fhir+json", _ => "application/json" };
            if (type.Length > 0) content.Headers.ContentType = new MediaTypeHeaderValue(type);
            message.Content = content;
        }
        if (random.Next(3) == 0)
            message.Headers.TryAddWithoutValidation("Accept", Pick(random, ["text/csv", "text/html", "application/xml", "application/fhir+json", "*/*", "application/json"]));
        if (endpoint.Path == "/fhir/Procedure" && method == "POST" && random.Next(3) == 0)
            message.Headers.TryAddWithoutValidation("If-None-Exist", Pick(random, ["identifier=%00", "identifier=", "identifier=a|b", "name=x", "identifier=" + new string('x', 300)]));
        if (random.Next(30) == 0) { message.Headers.TryAddWithoutValidation("X-Api-Key", Pick(random, ["nope", "x\u0001y", new string('k', 4000)])); notes.Add("bad key"); }
        return new FuzzRequest(message, path, $"{method} {url} [{string.Join(", ", notes)}]");
    }

    private static string Plausible(Random random, string name) => name switch
    {
        "year" => Pick(random, ["2026", "1899", "2201", "abc", "99999999999"]),
        "basis" => Pick(random, ["calendar", "plan", "fiscal"]),
        "format" => Pick(random, ["csv", "json", "xml"]),
        "date" or "asOf" => Pick(random, ["2026-03-10", "ge2026-01-01", "lt2027-01-01", "", "e", "0001-01-01", "2026-13-01", "gx2026-01-01"]),
        "patient" or "subject" => Pick(random, ["p-fuzz-1", "Patient/p-fuzz-1", ""]),
        "includeVoided" => Pick(random, ["true", "maybe", "1"]),
        _ => Pick(random, ["acme-ppo", "medicare-lcd", "nope", "UPPER"]),
    };

    private static string Escape(string s) => Uri.EscapeDataString(s.Length > 0 && char.IsSurrogate(s[0]) ? "x" : s);

    private static (byte[], string) CorruptJson(Random random, string example)
    {
        switch (random.Next(12))
        {
            case 0: return (Encoding.UTF8.GetBytes(example[..random.Next(example.Length)]), "truncated");
            case 1:
                {
                    // Invalid UTF-8 anywhere inside a string or a property name (a lone continuation byte, an overlong form,
                    // a truncated sequence, an encoded surrogate).
                    var bytes = Encoding.UTF8.GetBytes(example);
                    var quotes = Enumerable.Range(0, bytes.Length).Where(b => bytes[b] == (byte)'"').ToArray();
                    var at = quotes[random.Next(quotes.Length)] + 1;
                    byte[] bad = Pick(random, new[] { new byte[] { 0xff, 0xfe }, [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0x80] });
                    return ([.. bytes[..at], .. bad, .. bytes[at..]], "invalid UTF-8");
                }
            case 11:
                {
                    // A lone surrogate escape in a property name instead of a value.
                    var text = example;
                    var names = System.Text.RegularExpressions.Regex.Matches(text, "\"([A-Za-z]+)\"\\s*:");
                    var name = names[random.Next(names.Count)];
                    text = text[..(name.Index + 1)] + "\\udc00" + text[(name.Index + 1)..];
                    return (Encoding.UTF8.GetBytes(text), "lone surrogate in a name");
                }
            case 2: return (Encoding.UTF8.GetBytes(Pick(random, ["", "null", "[]", "1", "\"x\"", "{", "{\"a\":1,\"a\":2}", new string('[', 5000)])), "not an object");
            case 3:
                {
                    // A duplicate key at the top level.
                    var node = JsonNode.Parse(example)!.AsObject();
                    var first = node.First().Key;
                    return (Encoding.UTF8.GetBytes("{\"" + first + "\":1," + example.TrimStart()[1..]), "duplicate key");
                }
            default:
                {
                    var node = JsonNode.Parse(example)!;
                    var what = new List<string>();
                    for (var n = random.Next(1, 4); n > 0; n--) what.Add(Mutate(random, node));
                    var text = node.ToJsonString().Replace("\"@@LONE@@\"", LoneSurrogate);
                    return (Encoding.UTF8.GetBytes(text), string.Join("; ", what));
                }
        }
    }

    /// <summary>Replaces, removes or adds one value somewhere in the tree.</summary>
    private static string Mutate(Random random, JsonNode root)
    {
        var all = new List<JsonNode>();
        void Walk(JsonNode? n)
        {
            if (n is null) return;
            all.Add(n);
            if (n is JsonObject o) foreach (var (_, v) in o.ToList()) Walk(v);
            if (n is JsonArray a) foreach (var v in a.ToList()) Walk(v);
        }
        Walk(root);
        var target = all[random.Next(all.Count)];
        var replacement = HostileValue(random);
        if (target.Parent is JsonObject parent)
        {
            var key = parent.First(p => ReferenceEquals(p.Value, target)).Key;
            if (random.Next(5) == 0) { parent.Remove(key); return $"removed {target.GetPath()}"; }
            parent[key] = replacement;
            return $"{target.GetPath()} := {Describe(replacement)}";
        }
        if (target.Parent is JsonArray array)
        {
            array[array.IndexOf(target)] = replacement;
            return $"{target.GetPath()} := {Describe(replacement)}";
        }
        if (root is JsonObject top) { top[Pick(random, ["context", "prefetch", "extra", "hook", "request", "entry"])] = replacement; return "root member added"; }
        return "unchanged";
    }

    private static string Describe(JsonNode? n) => n is null ? "null" : Cut(n.ToJsonString());

    private static JsonNode? HostileValue(Random random) => random.Next(14) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(2) == 0 ? -1 : int.MaxValue),
        2 => JsonValue.Create(0.04m),
        3 => new JsonArray(),
        4 => new JsonObject(),
        5 => JsonValue.Create(true),
        6 => JsonValue.Create("@@LONE@@"),
        7 => JsonValue.Create(1e300),
        8 => new JsonArray(JsonValue.Create(1), JsonValue.Create("x")),
        9 => new JsonObject { ["coverage"] = "x", ["resourceType"] = "Bundle" },
        _ => JsonValue.Create(Pick(random, Hostile)),
    };

    private static (byte[], string) CorruptCsv(Random random, string example)
    {
        var lines = example.Split('\n').ToList();
        switch (random.Next(6))
        {
            case 0: return ([], "empty file");
            case 1: lines.RemoveAt(0); return (Encoding.UTF8.GetBytes(string.Join('\n', lines)), "no header");
            case 2: return ([.. Encoding.UTF8.GetBytes(example), 0xff, 0x00, 0xfe], "binary tail");
            default:
                {
                    var row = 1 + random.Next(lines.Count - 1);
                    var cells = lines[row].Split(',');
                    cells[random.Next(cells.Length)] = Pick(random, Hostile).Replace(",", ";");
                    lines[row] = string.Join(',', cells) + (random.Next(4) == 0 ? ",\"unclosed" : "");
                    return (Encoding.UTF8.GetBytes(string.Join('\n', lines)), "hostile cell");
                }
        }
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}
