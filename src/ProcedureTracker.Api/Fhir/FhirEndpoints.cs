using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ProcedureTracker.Application.Injections;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Domain.Catalog;

namespace ProcedureTracker.Api.Fhir;

/// <summary>FHIR R4 (application/fhir+json) at /fhir: metadata, Procedure create (conditional), batch, search.</summary>
public static class FhirEndpoints
{
    public const string MediaType = "application/fhir+json";

    public static void MapFhir(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/fhir").WithTags("FHIR R4");
        group.MapGet("/metadata", Metadata).AllowAnonymous();
        group.MapPost("/Procedure", Create).RequireAuthorization(Permission.Record);
        group.MapPost("/", Batch).RequireAuthorization(Permission.Record);
        group.MapGet("/Procedure", Search).RequireAuthorization(Permission.Read);
    }

    public static IResult Fhir(int status, JsonNode body, string? location = null) => new FhirResult(status, body, location);

    private sealed class FhirResult(int status, JsonNode body, string? location) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = MediaType;
            if (location is not null) context.Response.Headers.Location = location;
            return context.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8);
        }
    }

    private static IResult Metadata(IClock clock) => Fhir(200, new JsonObject
    {
        ["resourceType"] = "CapabilityStatement", ["status"] = "active", ["kind"] = "instance", ["fhirVersion"] = "4.0.1",
        ["date"] = InstantPattern.ExtendedIso.Format(clock.GetCurrentInstant()), ["format"] = new JsonArray("application/fhir+json"),
        ["software"] = new JsonObject { ["name"] = "ProcedureTracker" },
        ["rest"] = new JsonArray(new JsonObject
        {
            ["mode"] = "server",
            ["security"] = new JsonObject { ["description"] = "Authorization: Bearer <API key> (roles ehr, clinician or admin to write)." },
            ["interaction"] = new JsonArray(new JsonObject { ["code"] = "batch" }),
            ["resource"] = new JsonArray(new JsonObject
            {
                ["type"] = "Procedure", ["conditionalCreate"] = true,
                ["interaction"] = new JsonArray(new JsonObject { ["code"] = "create" }, new JsonObject { ["code"] = "search-type" }),
                ["searchParam"] = new JsonArray(
                    new JsonObject { ["name"] = "patient", ["type"] = "reference" },
                    new JsonObject { ["name"] = "date", ["type"] = "date" }),
            }),
        }),
    });

    /// <summary>The use cases a FHIR write reaches.</summary>
    public sealed record Doors(RecordInjection Record, VoidInjection Void, ListHistory History, ProcedureCatalog Catalog, OrganizationClock Clock);

    private static async Task<IResult> Create(HttpRequest request, ClaimsPrincipal user, [AsParameters] Doors doors, CancellationToken ct)
    {
        var read = await JsonBody.ReadAsync(request, ct);
        if (read.Error is not null) return Fhir(400, FhirJson.Outcome("error", "structure", read.Error, read.Path));
        var body = read.Node;
        var (status, resource, location) = await ProcessAsync(body, request.Headers["If-None-Exist"].FirstOrDefault(),
            ApiKeyAuthentication.CallerOf(user), doors, ct);
        return Fhir(status, resource, location);
    }

    private static async Task<IResult> Batch(HttpRequest request, ClaimsPrincipal user, [AsParameters] Doors doors, CancellationToken ct)
    {
        var read = await JsonBody.ReadAsync(request, ct);
        if (read.Error is not null) return Fhir(400, FhirJson.Outcome("error", "structure", read.Error, read.Path));
        var bundle = read.Node;
        if (bundle.Str("resourceType") != "Bundle" || bundle.Str("type") != "batch")
            return Fhir(400, FhirJson.Outcome("error", "invalid", "Send a Bundle of type batch.", "Bundle.type"));

        var caller = ApiKeyAuthentication.CallerOf(user);
        var entries = new JsonArray();
        foreach (var entry in bundle.Array("entry"))
        {
            var method = entry.Get("request").Str("method");
            var url = entry.Get("request").Str("url");
            (int Status, JsonObject Body, string? Location) result = method == "POST" && url == "Procedure"
                ? await ProcessAsync(entry.Get("resource"), entry.Get("request").Str("ifNoneExist"), caller, doors, ct)
                : (400, FhirJson.Outcome("error", "not-supported", "Only POST Procedure entries are supported in a batch.", "Bundle.entry.request"), null);
            var response = new JsonObject { ["status"] = $"{result.Status} {ReasonPhrase(result.Status)}" };
            if (result.Location is not null) response["location"] = result.Location;
            var responseEntry = new JsonObject { ["response"] = response };
            if (result.Body.Str("resourceType") == "OperationOutcome") response["outcome"] = result.Body;
            else responseEntry["resource"] = result.Body;
            entries.Add(responseEntry);
        }
        return Fhir(200, new JsonObject { ["resourceType"] = "Bundle", ["type"] = "batch-response", ["entry"] = entries });
    }

    private static async Task<(int, JsonObject, string?)> ProcessAsync(JsonNode? resource, string? ifNoneExist, Caller caller, Doors doors,
        CancellationToken ct)
    {
        var catalog = doors.Catalog;
        var errors = new ValidationErrors();
        var procedure = ProcedureMapping.FromFhir(resource, catalog, OrganizationClock.Zone(caller.Organization), errors);
        if (procedure is null) return (400, FhirJson.Outcome(errors.ToDictionary()), null);

        if (ifNoneExist is not null)
        {
            if (!ifNoneExist.StartsWith("identifier=", StringComparison.Ordinal))
                return (400, FhirJson.Outcome("error", "not-supported", "If-None-Exist supports identifier=system|value only."), null);
            // A token with a system matches at most one record (externalId is unique); identifier=value matches every system's.
            var token = Uri.UnescapeDataString(ifNoneExist["identifier=".Length..]);
            var bad = InputText.Problem(token) ?? (token.Length is 0 or > 200 ? "The identifier must be 1-200 characters." : null);
            if (bad is not null) return (400, FhirJson.Outcome("error", "invalid", bad, "If-None-Exist"), null);
            var bar = token.IndexOf('|');
            var matches = await doors.History.ByIdentifierAsync(caller, bar < 0 ? null : token[..bar], bar < 0 ? token : token[(bar + 1)..], ct);
            if (matches.Count > 1)
                return (412, FhirJson.Outcome("error", "multiple-matches", $"If-None-Exist matches {matches.Count} Procedures; add the identifier system."), null);
            if (matches.Count == 1) return (200, ProcedureMapping.ToFhir(matches[0], catalog), Location(matches[0]));
        }

        if (procedure.Status == "entered-in-error")
        {
            var (outcome, voided) = await doors.Void.ByExternalIdAsync(caller, procedure.PatientId, procedure.ExternalId, ct);
            return voided is null || outcome == VoidOutcome.NotFound
                ? (404, FhirJson.Outcome("error", "not-found", $"No Procedure with identifier {procedure.ExternalId} for this patient.", "Procedure.identifier"), null)
                : (200, ProcedureMapping.ToFhir(voided, catalog), Location(voided));
        }

        return await doors.Record.RunAsync(caller, procedure.Injection!, ct) switch
        {
            RecordOutcome.Created c => (201, ProcedureMapping.ToFhir(c.Injection, catalog), Location(c.Injection)),
            RecordOutcome.Replayed r => (200, ProcedureMapping.ToFhir(r.Injection, catalog), Location(r.Injection)),
            RecordOutcome.Conflict c => (409, FhirJson.Outcome("error", "duplicate", c.Detail, "Procedure.identifier"), null),
            RecordOutcome.Invalid i => (400, FhirJson.Outcome("error", "invalid", i.Message,
                i.Field == "plan" ? ProcedureMapping.Names.Plan : "Procedure"), null),
            var other => throw new InvalidOperationException($"Unexpected outcome {other.GetType().Name}."),
        };
    }

    private static async Task<IResult> Search(string? patient, HttpRequest request, ClaimsPrincipal user, ListHistory history, ProcedureCatalog catalog,
        CancellationToken ct)
    {
        if (string.IsNullOrEmpty(patient))
            return Fhir(400, FhirJson.Outcome("error", "required", "Search needs patient=ID.", "patient"));
        var id = patient.StartsWith("Patient/", StringComparison.Ordinal) ? patient["Patient/".Length..] : patient;
        if (!InjectionInput.IsPatientId(id))
            return Fhir(400, FhirJson.Outcome("error", "invalid", "patient: use Patient/{id} or {id} with 1-64 of A-Z a-z 0-9 . _ -", "patient"));
        var filters = new List<Func<LocalDate, bool>>();
        foreach (var value in request.Query["date"])
        {
            var text = value ?? "";
            var prefix = text.Length > 2 && char.IsLetter(text[0]) ? text[..2] : "eq";
            var dateText = text.Length > 2 && char.IsLetter(text[0]) ? text[2..] : text;
            if (prefix is not ("eq" or "ge" or "gt" or "le" or "lt") || !DateText.TryParse(dateText, out var d))
                return Fhir(400, FhirJson.Outcome("error", "invalid", "date: use [eq|ge|gt|le|lt]yyyy-MM-dd with a year from 1900 to 2200.", "date"));
            filters.Add(prefix switch { "ge" => x => x >= d, "gt" => x => x > d, "le" => x => x <= d, "lt" => x => x < d, _ => x => x == d });
        }
        var rows = await history.RunAsync(ApiKeyAuthentication.CallerOf(user), id, includeVoided: true, ct) ?? [];
        var matches = rows.Where(r => filters.All(f => f(r.DateOfService))).ToList();
        return Fhir(200, new JsonObject
        {
            ["resourceType"] = "Bundle", ["type"] = "searchset", ["total"] = matches.Count,
            ["entry"] = new JsonArray(matches.Select(r => (JsonNode)new JsonObject
            {
                ["fullUrl"] = $"Procedure/{r.Id}", ["resource"] = ProcedureMapping.ToFhir(r, catalog), ["search"] = new JsonObject { ["mode"] = "match" },
            }).ToArray()),
        });
    }

    private static string Location(InjectionRow row) => $"Procedure/{row.Id}";

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK", 201 => "Created", 400 => "Bad Request", 404 => "Not Found", 409 => "Conflict", 412 => "Precondition Failed", _ => "Error",
    };
}
