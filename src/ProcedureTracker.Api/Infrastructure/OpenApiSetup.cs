using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>
/// The served OpenAPI document made trustworthy for generated clients and validators: the API-key security scheme
/// (Bearer or X-Api-Key), summary, description and operationId on every operation, every documented error status with
/// its problem+json (or OperationOutcome) body, FHIR and CDS Hooks media types, dates typed as dates, and request
/// members optional (validation names the missing ones).
/// </summary>
public static class OpenApiSetup
{
    private sealed record Doc(string OperationId, string Summary, string Description, bool Anonymous = false);

    // One line per operation: what a client developer reads first.
    private static readonly Dictionary<string, Doc> Operations = new(StringComparer.OrdinalIgnoreCase)
    {
        ["GET /fhir/metadata"] = new("fhirCapabilities", "FHIR CapabilityStatement", "What this FHIR R4 endpoint supports (no key needed).", true),
        ["POST /fhir/Procedure"] = new("fhirCreateProcedure", "Record a performed procedure (FHIR)", "Conditional create with If-None-Exist: identifier=system|value (201 new, 200 existing, 412 several matches). entered-in-error voids the record with that identifier."),
        ["GET /fhir/Procedure"] = new("fhirSearchProcedures", "Search procedures (FHIR)", "patient= or subject=, _id, date=[eq|ge|gt|le|lt]yyyy-MM-dd, _count and _offset; a searchset Bundle with self and next links."),
        ["GET /fhir/Procedure/{id}"] = new("fhirReadProcedure", "Read one procedure (FHIR)", "The Procedure with its ETag (W/\"1\" as recorded, W/\"2\" once voided)."),
        ["POST /fhir"] = new("fhirBatchOrTransaction", "Batch or transaction Bundle (FHIR)", "A batch answers each POST Procedure entry on its own; a transaction records every entry or none, in one database transaction."),
        ["GET /cds-services"] = new("cdsDiscovery", "CDS Hooks discovery", "The three services (order-select, order-sign, appointment-book) with their prefetch templates.", true),
        ["POST /cds-services/{id}"] = new("cdsCall", "Call a CDS service", "Cards for each draft injection order (critical when not allowed, warning on the last allowed session, info when something was not checked); order-sign adds the Da Vinci CRD coverage-information system action."),
        ["POST /cds-services/{id}/feedback"] = new("cdsFeedback", "CDS card feedback", "Stores accepted or overridden cards in the audit log (never the free-text comment)."),
        ["POST /v1/api-keys"] = new("createApiKey", "Create an API key", "Admin only. The key is shown once; only its hash is stored."),
        ["GET /v1/api-keys"] = new("listApiKeys", "List API keys", "Admin only. Names, roles and state, never the secrets."),
        ["DELETE /v1/api-keys/{id}"] = new("revokeApiKey", "Revoke an API key", "Admin only. The key stops working on every API process within a second."),
        ["GET /v1/procedures"] = new("listProcedures", "Procedure catalog", "Procedure types with their CPT/HCPCS codes."),
        ["GET /v1/regions"] = new("listRegions", "Body regions", "Region codes used in sites."),
        ["GET /v1/steroid-drugs"] = new("listSteroidDrugs", "Steroid drugs", "Drugs with their methylprednisolone-equivalent factors."),
        ["PUT /v1/policies/{code}"] = new("putPolicy", "Add a policy version", "Admin only. Stores the next version; without effectiveFrom a first version applies from the beginning, a later one from today."),
        ["GET /v1/policies/{code}"] = new("getPolicy", "One policy", "The version in force on asOf (default today)."),
        ["GET /v1/policies"] = new("listPolicies", "Policies in force", "Every policy's version in force on asOf (default today)."),
        ["POST /v1/patients/{patientId}/injections"] = new("recordInjection", "Record an injection", "Checks and stores in one atomic step. Over a limit: 422 with the eligibility answer, unless an override reason or prior authorization is given. A repeated externalId returns the first record (200) or 409. With supersedes, voids that record and stores this corrected one."),
        ["GET /v1/patients/{patientId}/injections"] = new("listInjections", "A patient's injections", "By date; includeVoided=true adds voided records."),
        ["POST /v1/patients/{patientId}/injections/{id}/void"] = new("voidInjection", "Void an injection", "The record stops counting and stays in the history; who, when and why are audited."),
        ["POST /v1/eligibility"] = new("checkEligibility", "May this injection be given on this date?", "Allowed or not, every violated rule with its reason and passing date, usage of each counting rule, the exact earliest eligible date, and warnings (last allowed session, what was not checked)."),
        ["POST /v1/imports"] = new("importHistory", "Import history (CSV)", "text/csv with a header row; rows validated one by one (line numbers in the answer), imported a batch at a time, idempotent by externalId. With Prefer: respond-async it answers 202 with a job to follow at GET /v1/imports/{id}. At most PT_IMPORT_MAX_MB (50) MB, else 413; the first 1,000 rejected and over-limit lines are listed, rejectedTotal and overLimitTotal count them all; one import per organization at a time (409 names the running one)."),
        ["GET /v1/imports/{id}"] = new("getImport", "An import's progress and result", "State running, done or failed, rows handled so far, and the full result (every rejected and over-limit line) when done."),
        ["GET /v1/reports/yearly-counts"] = new("yearlyCounts", "Yearly counts", "Sessions, injections, steroid sessions and mg MPE per patient, plan and procedure for a calendar or plan year; format=csv for a CSV file."),
        ["GET /v1/audit"] = new("getAudit", "The audit trail", "Admin only. Every write, every read of a patient's history (with the door: api, fhir, cds-hooks, web) and every report export, newest first, the actor named. Filters: patientId, entity, entityId, action, actorId, from, to (dates or instants), limit (1-1000), before (an entry id; the answer's next link pages back)."),
        ["GET /v1/organization"] = new("getOrganization", "This organization", "Name, time zone and creation date (admin)."),
        ["PUT /v1/organization"] = new("putOrganization", "Change name or time zone", "Admin only, audited. Later FHIR instants map to dates in the new zone; stored dates never change."),
        ["POST /v1/operator/organizations"] = new("createOrganization", "Create an organization (operator)", "With the operator key (PT_OPERATOR_KEY) as bearer: a new organization with the default policies and its first admin key, shown once.", true),
        ["GET /v1/reports/approaching-limits"] = new("approachingLimits", "Patients near a cap", "Everyone with at most one session (or 40 mg MPE) left on a counting rule on a date; format=csv for a CSV file."),
    };

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["FHIR R4"] = "Procedures as FHIR R4 resources (application/fhir+json).",
        ["CDS Hooks"] = "CDS Hooks 2.0 services with Da Vinci CRD coverage information.",
        ["API keys"] = "Keys for machines (admin only).",
        ["Catalog"] = "Reference data: procedures, regions, steroid drugs.",
        ["Policies"] = "Versioned payer plans and clinic protocols.",
        ["Injections"] = "Recording, listing, voiding and superseding injections.",
        ["Eligibility"] = "The eligibility question.",
        ["Import"] = "Bulk history import.",
        ["Reports"] = "Billing reports.",
        ["Health"] = "Liveness and readiness.",
        ["Organization"] = "The caller's organization.",
        ["Operator"] = "Operating the service: new organizations.",
    };

    public static IServiceCollection AddTrackerOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddDocumentTransformer((document, context, ct) =>
        {
            document.Info.Title = "ProcedureTracker";
            document.Info.Version = "v1";
            document.Info.Description = "Injection history, repeat-interval and insurance-cap eligibility for pain-management clinics. Authenticate with an API key: `Authorization: Bearer <key>` or `X-Api-Key: <key>`. Errors are application/problem+json (an OperationOutcome under /fhir).";
            document.Info.License = new OpenApiLicense { Name = "Proprietary", Url = new Uri("https://proceduretracker.invalid/license") };
            foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "An API key as a bearer token.",
            };
            document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key", Description = "The same API key in X-Api-Key.",
            };
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            document.Components.Schemas["Problem"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object, Description = "RFC 9457 problem details; errors maps each invalid field to its messages.",
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["type"] = new OpenApiSchema { Type = JsonSchemaType.String }, ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer }, ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["errors"] = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                    },
                },
            };
            document.Components.Schemas["FhirResource"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object, Description = "A FHIR R4 resource (Procedure, Bundle, CapabilityStatement or OperationOutcome).",
                Properties = new Dictionary<string, IOpenApiSchema> { ["resourceType"] = new OpenApiSchema { Type = JsonSchemaType.String } },
                Required = new HashSet<string> { "resourceType" },
            };
            document.Components.Schemas["CdsResponse"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object, Description = "A CDS Hooks 2.0 JSON object (discovery, cards and systemActions).",
            };
            document.Tags = new HashSet<OpenApiTag>(TagDescriptions.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
            return Task.CompletedTask;
        });

        options.AddOperationTransformer((operation, context, ct) =>
        {
            var description = context.Description;
            var path = "/" + System.Text.RegularExpressions.Regex.Replace((description.RelativePath ?? "").Split('?')[0].TrimEnd('/'), @"\{(\w+):[^}]+\}", "{$1}");
            var key = $"{description.HttpMethod} {path}";
            var doc = Operations.GetValueOrDefault(key) ?? new Doc(key.Replace(" ", "_"), key, key);
            operation.OperationId = doc.OperationId;
            operation.Summary = doc.Summary;
            operation.Description = doc.Description;
            var document = context.Document!;
            operation.Security = doc.Anonymous ? [] :
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKey", document)] = [] },
            ];

            var fhir = path.StartsWith("/fhir", StringComparison.Ordinal);
            var cds = path.StartsWith("/cds-services", StringComparison.Ordinal);
            var errorType = fhir ? "application/fhir+json" : "application/problem+json";
            IOpenApiSchema errorSchema = new OpenApiSchemaReference(fhir ? "FhirResource" : "Problem", document);
            operation.Responses ??= new OpenApiResponses();
            if (fhir || cds)
            {
                var media = fhir ? "application/fhir+json" : "application/json";
                var schema = new OpenApiSchemaReference(fhir ? "FhirResource" : "CdsResponse", document);
                foreach (var (_, response) in operation.Responses)
                    if (response is OpenApiResponse r) r.Content = new Dictionary<string, OpenApiMediaType> { [media] = new OpenApiMediaType { Schema = schema } };
                if (description.HttpMethod == "POST" && (fhir || path.EndsWith("}", StringComparison.Ordinal) || path.EndsWith("feedback", StringComparison.Ordinal)))
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, OpenApiMediaType> { [media] = new OpenApiMediaType { Schema = fhir ? schema : new OpenApiSchemaReference("CdsResponse", document) } },
                    };
                if (fhir && key == "POST /fhir/Procedure")
                {
                    operation.Responses["201"] = new OpenApiResponse { Description = "Created", Content = new Dictionary<string, OpenApiMediaType> { [media] = new OpenApiMediaType { Schema = schema } } };
                    Add(operation, "409", "The identifier is used by a different record", errorType, errorSchema);
                    Add(operation, "412", "If-None-Exist matches several records", errorType, errorSchema);
                }
                if (fhir) Add(operation, "406", "Only application/fhir+json is served", errorType, errorSchema);
            }
            if (!doc.Anonymous)
            {
                Add(operation, "401", "No valid API key", errorType, errorSchema);
                Add(operation, "403", "The key's role may not do this", errorType, errorSchema);
            }
            if (path.Contains('{') || key is "POST /v1/eligibility") Add(operation, "404", "Not found", errorType, errorSchema);
            if (!doc.Anonymous || fhir) Add(operation, "400", "Invalid input; errors name each field", errorType, errorSchema);
            if (key == "POST /v1/patients/{patientId}/injections")
            {
                Add(operation, "409", "externalId used with different content, or the superseded record is voided", errorType, errorSchema);
                Add(operation, "422", "Breaks a limit; the body carries the eligibility answer", errorType, errorSchema);
            }
            if (path.EndsWith("/void", StringComparison.Ordinal)) Add(operation, "409", "Already voided", errorType, errorSchema);
            Add(operation, "503", "The database cannot be reached; retry after Retry-After seconds", errorType, errorSchema);
            // Problems the framework declared get the problem+json body too.
            foreach (var (status, response) in operation.Responses)
                if (status.StartsWith('4') && response is OpenApiResponse r && (r.Content is null || r.Content.Count == 0 || r.Content.ContainsKey("application/json") && !fhir && !cds && r.Content["application/json"].Schema is null))
                    r.Content = new Dictionary<string, OpenApiMediaType> { [errorType] = new OpenApiMediaType { Schema = errorSchema } };
            return Task.CompletedTask;
        });

        options.AddSchemaTransformer((schema, context, ct) =>
        {
            var type = context.JsonTypeInfo.Type;
            var nullable = context.JsonPropertyInfo is { } p && (Nullable.GetUnderlyingType(p.PropertyType) is not null || !p.PropertyType.IsValueType);
            if (type == typeof(string)) Typed(schema, JsonSchemaType.String, null, nullable);
            // Shared component schemas: a nullable use is wrapped (oneOf null) by the generator, so these never include null themselves.
            else if (type == typeof(LocalDate) || type == typeof(LocalDate?)) Typed(schema, JsonSchemaType.String, "date", false);
            else if (type == typeof(Instant) || type == typeof(Instant?)) Typed(schema, JsonSchemaType.String, "date-time", false);
            // Requests: every member optional in the schema; the service names what is missing.
            if (type.Name.EndsWith("Request", StringComparison.Ordinal) && schema.Required is { Count: > 0 }) schema.Required.Clear();
            return Task.CompletedTask;
        });
    });

    private static void Typed(OpenApiSchema schema, JsonSchemaType type, string? format, bool nullable)
    {
        schema.Type = nullable ? type | JsonSchemaType.Null : type;
        schema.Format = format;
        schema.Properties?.Clear();
        schema.Required?.Clear();
    }

    private static void Add(OpenApiOperation operation, string status, string description, string mediaType, IOpenApiSchema schema)
    {
        operation.Responses ??= new OpenApiResponses();
        if (operation.Responses.ContainsKey(status)) return;
        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { [mediaType] = new OpenApiMediaType { Schema = schema } },
        };
    }
}
