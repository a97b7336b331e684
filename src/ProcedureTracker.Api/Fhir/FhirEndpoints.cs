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
        group.MapGet("/metadata", Metadata)
            .WithName("fhirCapabilities").WithSummary("FHIR CapabilityStatement")
            .WithDescription("What this FHIR R4 endpoint supports (no key needed).").AllowAnonymous();
        group.MapPost("/Procedure", Create)
            .WithName("fhirCreateProcedure").WithSummary("Record a performed procedure (FHIR)")
            .WithDescription("Conditional create with If-None-Exist: identifier=system|value (201 new, 200 existing, 412 several matches). entered-in-error voids the record with that identifier.")
            .WithMetadata(new DocumentedError(409, "The identifier is used by a different record"))
            .WithMetadata(new DocumentedError(412, "If-None-Exist matches several records")).RequireAuthorization(Permission.Record);
        group.MapPost("/", Batch)
            .WithName("fhirBatchOrTransaction").WithSummary("Batch or transaction Bundle (FHIR)")
            .WithDescription("A batch answers each POST Procedure entry on its own; a transaction records every entry or none, in one database transaction.").RequireAuthorization(Permission.Record);
        group.MapGet("/Procedure", Search)
            .WithName("fhirSearchProcedures").WithSummary("Search procedures (FHIR)")
            .WithDescription("patient= or subject=, _id, date=[eq|ge|gt|le|lt] with a year, month, day or instant, status=, code= (CPT or procedure system), _count; keyset paging by the next link's _cursor. A searchset Bundle with self and next links.").RequireAuthorization(Permission.Read);
        group.MapGet("/Procedure/{id}", Read)
            .WithName("fhirReadProcedure").WithSummary("Read one procedure (FHIR)")
            .WithDescription("The Procedure with its ETag (W/\"1\" as recorded, W/\"2\" once voided); If-None-Match with the current ETag answers 304.").RequireAuthorization(Permission.Read);
        group.MapGet("/Procedure/{id}/_history/{version}", ReadVersion)
            .WithName("fhirReadProcedureVersion").WithSummary("Read one version of a procedure (FHIR vread)")
            .WithDescription("Version 1 is the record as recorded; version 2 exists once it was voided (entered-in-error).").RequireAuthorization(Permission.Read);
        group.AddEndpointFilter(async (context, next) =>
        {
            // JSON is the only format served: a client asking for XML (or anything else) only gets 406.
            var accept = context.HttpContext.Request.Headers.Accept.ToString();
            var format = context.HttpContext.Request.Query["_format"].ToString();
            if (!AcceptsJson(accept) || (format.Length > 0 && !format.Contains("json", StringComparison.OrdinalIgnoreCase)))
                return Fhir(406, FhirJson.Outcome("error", "not-supported", "Only application/fhir+json is served."));
            return await next(context);
        });
    }

    public static IResult Fhir(int status, JsonNode body, string? location = null) => new FhirResult(status, body, location);

    /// <summary>True when the Accept header allows JSON (absent, */*, application/json, application/fhir+json).</summary>
    public static bool AcceptsJson(string accept) =>
        accept.Length == 0 || accept.Split(',').Select(a => a.Split(';')[0].Trim().ToLowerInvariant())
            .Any(a => a is "*/*" or "application/*" or "application/json" or "application/fhir+json" or "json" or "application/json+fhir");

    private sealed class FhirResult(int status, JsonNode body, string? location) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = MediaType;
            if (location is not null) context.Response.Headers.Location = BaseUrl(context.Request) + "/" + location;
            if (body.Get("meta").Str("versionId") is { } version) context.Response.Headers.ETag = $"W/\"{version}\"";
            return context.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8);
        }
    }

    private static IResult Metadata(IClock clock, HttpRequest request) => Fhir(200, new JsonObject
    {
        ["resourceType"] = "CapabilityStatement", ["status"] = "active", ["kind"] = "instance", ["fhirVersion"] = "4.0.1",
        ["implementation"] = new JsonObject { ["description"] = "ProcedureTracker injection history", ["url"] = BaseUrl(request) },
        ["date"] = InstantPattern.ExtendedIso.Format(clock.GetCurrentInstant()), ["format"] = new JsonArray("application/fhir+json"),
        ["software"] = new JsonObject { ["name"] = "ProcedureTracker" },
        ["rest"] = new JsonArray(new JsonObject
        {
            ["mode"] = "server",
            ["security"] = new JsonObject { ["description"] = "Authorization: Bearer <API key> (roles ehr, clinician or admin to write)." },
            ["interaction"] = new JsonArray(new JsonObject { ["code"] = "batch" }, new JsonObject { ["code"] = "transaction" }),
            ["resource"] = new JsonArray(new JsonObject
            {
                ["type"] = "Procedure", ["conditionalCreate"] = true,
                ["interaction"] = new JsonArray(new JsonObject { ["code"] = "create" }, new JsonObject { ["code"] = "read" },
                    new JsonObject { ["code"] = "vread" }, new JsonObject { ["code"] = "search-type" }),
                ["versioning"] = "versioned",
                ["searchParam"] = new JsonArray(
                    new JsonObject { ["name"] = "patient", ["type"] = "reference" },
                    new JsonObject { ["name"] = "subject", ["type"] = "reference" },
                    new JsonObject { ["name"] = "_id", ["type"] = "token" },
                    new JsonObject { ["name"] = "date", ["type"] = "date" },
                    new JsonObject { ["name"] = "status", ["type"] = "token" },
                    new JsonObject { ["name"] = "code", ["type"] = "token" }),
            }),
        }),
    });

    /// <summary>The use cases a FHIR write reaches.</summary>
    public sealed record Doors(RecordInjection Record, VoidInjection Void, ListHistory History, ProcedureCatalog Catalog, OrganizationClock Clock,
        ServiceYears Years, ProcedureTracker.Application.Policies.PlanNames PlanNames);

    private static async Task<IResult> Create(HttpRequest request, Caller caller, [AsParameters] Doors doors, CancellationToken ct)
    {
        var read = await JsonBody.ReadAsync(request, ct);
        if (read.Error is not null) return Fhir(400, FhirJson.Outcome("error", "structure", read.Error, read.Path));
        var body = read.Node;
        var (status, resource, location) = await ProcessAsync(body, request.Headers["If-None-Exist"].FirstOrDefault(),
            caller, doors, ct);
        return Fhir(status, resource, location);
    }

    private static async Task<IResult> Batch(HttpRequest request, Caller caller, [AsParameters] Doors doors, CancellationToken ct)
    {
        var read = await JsonBody.ReadAsync(request, ct);
        if (read.Error is not null) return Fhir(400, FhirJson.Outcome("error", "structure", read.Error, read.Path));
        var bundle = read.Node;
        var type = bundle.Str("type");
        if (bundle.Str("resourceType") != "Bundle" || type is not ("batch" or "transaction"))
            return Fhir(400, FhirJson.Outcome("error", "invalid", "Send a Bundle of type batch or transaction.", "Bundle.type"));
        return type == "transaction" ? await TransactionAsync(bundle!, caller, doors, ct) : await BatchAsync(bundle!, caller, doors, ct);
    }

    private static async Task<IResult> BatchAsync(JsonNode bundle, Caller caller, Doors doors, CancellationToken ct)
    {
        var entries = new JsonArray();
        foreach (var entry in bundle.Array("entry"))
        {
            var method = entry.Get("request").Str("method");
            var url = entry.Get("request").Str("url");
            (int Status, JsonObject Body, string? Location) result = method == "POST" && url == "Procedure"
                ? await ProcessAsync(entry.Get("resource"), entry.Get("request").Str("ifNoneExist"), caller, doors, ct)
                : (400, FhirJson.Outcome("error", "not-supported", "Only POST Procedure entries are supported in a batch.", "Bundle.entry.request"), null);
            entries.Add(ResponseEntry(result.Status, result.Body, result.Location));
        }
        return Fhir(200, new JsonObject { ["resourceType"] = "Bundle", ["type"] = "batch-response", ["entry"] = entries });
    }

    /// <summary>
    /// A transaction: every entry a POST of a completed Procedure, recorded all or nothing in one database transaction
    /// (the first failing entry's OperationOutcome is the answer, nothing stored); a performed procedure over a limit is
    /// recorded flagged, as in a batch.
    /// </summary>
    private static async Task<IResult> TransactionAsync(JsonNode bundle, Caller caller, Doors doors, CancellationToken ct)
    {
        var entries = bundle.Array("entry").ToList();
        var injections = new List<ProcedureTracker.Domain.Injections.NewInjection>();
        var planOf = await doors.PlanNames.ForAsync(caller, ct);
        for (var i = 0; i < entries.Count; i++)
        {
            var at = $"Bundle.entry[{i}]";
            if (entries[i].Get("request").Str("method") != "POST" || entries[i].Get("request").Str("url") != "Procedure")
                return Fhir(400, FhirJson.Outcome("error", "not-supported", "A transaction may only POST Procedure entries.", at + ".request"));
            var errors = new ValidationErrors();
            var procedure = ProcedureMapping.FromFhir(entries[i].Get("resource"), doors.Catalog, doors.Years, OrganizationClock.Zone(caller.Organization), errors,
                planOf);
            if (procedure is null) return Fhir(400, Prefix(FhirJson.Outcome(errors.ToDictionary()), at));
            if (procedure.Injection is null)
                return Fhir(400, FhirJson.Outcome("error", "not-supported", "entered-in-error is done one by one (POST Procedure or a batch), not in a transaction.", at + ".resource.status"));
            injections.Add(procedure.Injection);
        }
        if (injections.Count == 0) return Fhir(400, FhirJson.Outcome("error", "required", "The transaction has no entries.", "Bundle.entry"));

        var (outcomes, failedAt) = await doors.Record.RunAllAsync(caller, injections, ct);
        if (failedAt is { } f)
        {
            var at = $"Bundle.entry[{f}]";
            return outcomes[f] switch
            {
                RecordOutcome.Conflict c => Fhir(409, FhirJson.Outcome("error", "duplicate", c.Detail, at + ".resource.identifier")),
                RecordOutcome.Invalid i => Fhir(400, FhirJson.Outcome("error", "invalid", i.Message, at + ".resource")),
                var other => Fhir(400, FhirJson.Outcome("error", "processing", $"Entry {f} could not be recorded ({other.GetType().Name}).", at)),
            };
        }
        var response = new JsonArray();
        foreach (var outcome in outcomes)
        {
            var (status, row) = outcome switch
            {
                RecordOutcome.Created c => (201, c.Injection),
                RecordOutcome.Replayed r => (200, r.Injection),
                _ => throw new InvalidOperationException("A committed transaction holds only created or replayed entries."),
            };
            response.Add(ResponseEntry(status, ProcedureMapping.ToFhir(row, doors.Catalog), Location(row)));
        }
        return Fhir(200, new JsonObject { ["resourceType"] = "Bundle", ["type"] = "transaction-response", ["entry"] = response });
    }

    private static JsonObject Prefix(JsonObject outcome, string at)
    {
        foreach (var issue in outcome.Array("issue"))
            if (issue.Get("expression") is JsonArray expressions)
                for (var i = 0; i < expressions.Count; i++) expressions[i] = $"{at}.resource.{expressions[i]!.GetValue<string>().Replace("Procedure.", "")}";
        return outcome;
    }

    private static JsonObject ResponseEntry(int status, JsonObject body, string? location)
    {
        var response = new JsonObject { ["status"] = $"{status} {ReasonPhrase(status)}" };
        if (location is not null) response["location"] = location;
        var entry = new JsonObject { ["response"] = response };
        if (body.Str("resourceType") == "OperationOutcome") response["outcome"] = body;
        else
        {
            entry["resource"] = body;
            if (body.Get("meta").Str("versionId") is { } v) response["etag"] = $"W/\"{v}\"";
        }
        return entry;
    }

    private static async Task<IResult> Read(string id, HttpRequest request, Caller caller, ListHistory history, ProcedureCatalog catalog, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var guid)) return Fhir(404, FhirJson.Outcome("error", "not-found", $"No Procedure/{id}."));
        var row = await history.ByIdAsync(caller, guid, ct);
        if (row is null) return Fhir(404, FhirJson.Outcome("error", "not-found", $"No Procedure/{id}."));
        var resource = ProcedureMapping.ToFhir(row, catalog);
        // A client holding the current version (its ETag, weak or strong) is told so without the body.
        var etag = resource.Get("meta").Str("versionId");
        if (request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() is var x && (x == "*" || x.Trim('W', '/', '"') == etag))))
            return new NotModified(etag!);
        return Fhir(200, resource);
    }

    private static async Task<IResult> ReadVersion(string id, string version, Caller caller, ListHistory history, ProcedureCatalog catalog,
        CancellationToken ct)
    {
        var row = Guid.TryParse(id, out var guid) ? await history.ByIdAsync(caller, guid, ct) : null;
        if (row is null) return Fhir(404, FhirJson.Outcome("error", "not-found", $"No Procedure/{id}."));
        return version switch
        {
            "1" => Fhir(200, ProcedureMapping.ToFhir(row, catalog, asRecorded: true)),
            "2" when row.VoidedAt is not null => Fhir(200, ProcedureMapping.ToFhir(row, catalog)),
            _ => Fhir(404, FhirJson.Outcome("error", "not-found", $"No version {version} of Procedure/{id}.")),
        };
    }

    private sealed class NotModified(string version) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            context.Response.Headers.ETag = $"W/\"{version}\"";
            return Task.CompletedTask;
        }
    }

    private static async Task<(int, JsonObject, string?)> ProcessAsync(JsonNode? resource, string? ifNoneExist, Caller caller, Doors doors,
        CancellationToken ct)
    {
        var catalog = doors.Catalog;
        var errors = new ValidationErrors();
        var procedure = ProcedureMapping.FromFhir(resource, catalog, doors.Years, OrganizationClock.Zone(caller.Organization), errors,
            await doors.PlanNames.ForAsync(caller, ct));
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

    /// <summary>
    /// Procedure search: translates the FHIR parameters into a <see cref="ProcedureSearch"/> (filters and keyset paging run
    /// in the database) and the page into a searchset Bundle whose self link repeats only the parameters applied.
    /// </summary>
    private static async Task<IResult> Search(HttpRequest request, Caller caller, SearchProcedures search, ProcedureCatalog catalog, CancellationToken ct)
    {
        var query = request.Query;
        // Prefer: handling=strict (FHIR search): a parameter this server does not support is an error, not silently ignored.
        if (request.Headers["Prefer"].Any(p => p?.Replace(" ", "").Contains("handling=strict", StringComparison.OrdinalIgnoreCase) == true)
            && query.Keys.FirstOrDefault(k => !SearchParameters.Contains(k)) is { } unknown)
            return Fhir(400, FhirJson.Outcome("error", "not-supported",
                $"Search parameter '{unknown}' is not supported (Prefer: handling=strict); supported: {string.Join(", ", SearchParameters)}.", unknown));
        var used = new List<KeyValuePair<string, string>>();
        var patient = query["patient"].FirstOrDefault() ?? query["subject"].FirstOrDefault();
        var idFilter = query["_id"].FirstOrDefault();
        if (string.IsNullOrEmpty(patient) && string.IsNullOrEmpty(idFilter))
            return Fhir(400, FhirJson.Outcome("error", "required", "Search needs patient=ID (or subject=Patient/ID, or _id).", "patient"));
        string? patientId = null;
        if (!string.IsNullOrEmpty(patient))
        {
            patientId = patient.StartsWith("Patient/", StringComparison.Ordinal) ? patient["Patient/".Length..] : patient;
            if (!InjectionInput.IsPatientId(patientId))
                return Fhir(400, FhirJson.Outcome("error", "invalid", "patient: use Patient/{id} or {id} with 1-64 of A-Z a-z 0-9 . _ -", "patient"));
            used.Add(new(query.ContainsKey("patient") ? "patient" : "subject", patient));
        }
        Guid? id = null;
        if (!string.IsNullOrEmpty(idFilter))
        {
            // An id that is not one of ours matches nothing (FHIR ids are strings).
            if (!Guid.TryParse(idFilter, out var guid)) return Fhir(200, Searchset(request, used, [], 0, null, catalog));
            id = guid;
            used.Add(new("_id", idFilter));
        }
        LocalDate? from = null, to = null;
        var zone = OrganizationClock.Zone(caller.Organization);
        foreach (var value in query["date"])
        {
            if (FhirTerms.DateRange(value ?? "", zone) is not { } range)
                return Fhir(400, FhirJson.Outcome("error", "invalid",
                    "date: use [eq|ge|gt|le|lt] and a date (2026, 2026-02, 2026-02-10) or an instant with its offset (2026-02-10T09:00:00Z).", "date"));
            (from, to) = (Max(from, range.From), Min(to, range.To));
            used.Add(new("date", value!));
        }
        bool? voided = null;
        if (query["status"].FirstOrDefault() is { Length: > 0 } status)
        {
            var statuses = status.Split(',');
            if (statuses.Any(x => x is not ("completed" or "entered-in-error")))
                return Fhir(400, FhirJson.Outcome("error", "invalid", "status: completed or entered-in-error (records here are one or the other).", "status"));
            voided = statuses.Distinct().Count() == 2 ? null : statuses[0] == "entered-in-error";
            used.Add(new("status", status));
        }
        List<string>? procedures = null, cpts = null;
        if (query["code"].FirstOrDefault() is { Length: > 0 } code)
        {
            (procedures, cpts) = ([], []);
            foreach (var token in code.Split(','))
            {
                var bar = token.IndexOf('|');
                var (system, value) = bar < 0 ? (null, token) : (token[..bar], token[(bar + 1)..]);
                if (system is null or FhirTerms.ProcedureSystem) procedures.Add(value);
                if (system is null or FhirTerms.Cpt) cpts.Add(value);
                if (system is not (null or FhirTerms.ProcedureSystem or FhirTerms.Cpt))
                    return Fhir(400, FhirJson.Outcome("error", "invalid", $"code: systems here are {FhirTerms.Cpt} and {FhirTerms.ProcedureSystem}.", "code"));
            }
            used.Add(new("code", code));
        }
        var count = 50;
        if (query["_count"].FirstOrDefault() is { } c && (!int.TryParse(c, out count) || count is < 1 or > 500))
            return Fhir(400, FhirJson.Outcome("error", "invalid", "_count: a number from 1 to 500.", "_count"));
        if (query.ContainsKey("_count")) used.Add(new("_count", count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        SearchCursor? after = null;
        if (query["_cursor"].FirstOrDefault() is { } cursorText)
        {
            if (!SearchCursor.TryDecode(cursorText, out var cursor))
                return Fhir(400, FhirJson.Outcome("error", "invalid", "_cursor: use the next link of the previous page as it is.", "_cursor"));
            after = cursor;
        }

        var page = await search.RunAsync(caller, new ProcedureSearch(patientId, id, from, to, voided, procedures, cpts, after, count), ct);
        return Fhir(200, Searchset(request, used, page.Rows, page.Total, page.Next, catalog, after));
    }

    private static readonly string[] SearchParameters = ["patient", "subject", "_id", "date", "status", "code", "_count", "_cursor", "_format"];

    private static LocalDate? Max(LocalDate? a, LocalDate? b) => a is null ? b : b is null ? a : LocalDate.Max(a.Value, b.Value);
    private static LocalDate? Min(LocalDate? a, LocalDate? b) => a is null ? b : b is null ? a : LocalDate.Min(a.Value, b.Value);

    private static JsonObject Searchset(HttpRequest request, List<KeyValuePair<string, string>> used, IReadOnlyList<InjectionRow> rows, int total,
        SearchCursor? next, ProcedureCatalog catalog, SearchCursor? current = null)
    {
        var baseUrl = BaseUrl(request);
        string Link(SearchCursor? cursor) => $"{baseUrl}/Procedure?" + string.Join('&', used
            .Concat(cursor is { } k ? [new KeyValuePair<string, string>("_cursor", k.Encode())] : [])
            .Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        var links = new JsonArray(new JsonObject { ["relation"] = "self", ["url"] = Link(current) });
        if (next is not null) links.Add(new JsonObject { ["relation"] = "next", ["url"] = Link(next) });
        var bundle = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["total"] = total, ["link"] = links };
        // FHIR arrays have at least one element: an empty page has no entry member (strict parsers refuse "entry": []).
        if (rows.Count > 0)
            bundle["entry"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
            {
                ["fullUrl"] = $"{baseUrl}/Procedure/{r.Id}", ["resource"] = ProcedureMapping.ToFhir(r, catalog), ["search"] = new JsonObject { ["mode"] = "match" },
            }).ToArray());
        return bundle;
    }

    /// <summary>The service's FHIR base URL (see <see cref="TrackerOptions.PublicBase"/>).</summary>
    public static string BaseUrl(HttpRequest request) => TrackerOptions.PublicBase(request) + "/fhir";

    private static string Location(InjectionRow row) => $"Procedure/{row.Id}";

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        404 => "Not Found",
        409 => "Conflict",
        412 => "Precondition Failed",
        _ => "Error",
    };
}
