using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>
/// The served OpenAPI document made trustworthy for generated clients and validators: the API-key security scheme
/// (Bearer or X-Api-Key), operationId, summary and description from each route, every documented error status with
/// its problem+json (or OperationOutcome) body, FHIR and CDS Hooks media types, dates typed as dates, and request
/// members optional (validation names the missing ones).
/// </summary>
/// <summary>An error status a route answers beyond the common ones, with what it means there (read into the OpenAPI document).</summary>
public sealed record DocumentedError(int Status, string Description);

/// <summary>A route that also answers <c>text/csv</c> (its <c>format=csv</c>): declared beside JSON so generated clients do not parse it as JSON.</summary>
public sealed record CsvResponse;

public static class OpenApiSetup
{
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
        // Dates and instants are written inline (a string with its format, null allowed where the member is nullable), not
        // as shared components a nullable use must wrap in oneOf: generated clients turn that wrapper into an empty class.
        var defaultReferenceId = options.CreateSchemaReferenceId;
        options.CreateSchemaReferenceId = info =>
            info.Type == typeof(LocalDate) || info.Type == typeof(LocalDate?) || info.Type == typeof(Instant) || info.Type == typeof(Instant?)
                ? null : defaultReferenceId(info);
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
            var metadata = description.ActionDescriptor.EndpointMetadata;
            // Every operation names itself on its route (WithName, WithSummary, WithDescription); the generator copies them.
            var anonymous = metadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any();
            var document = context.Document!;
            operation.Security = anonymous ? [] :
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
                    operation.Responses["201"] = new OpenApiResponse { Description = "Created", Content = new Dictionary<string, OpenApiMediaType> { [media] = new OpenApiMediaType { Schema = schema } } };
                if (fhir) Add(operation, "406", "Only application/fhir+json is served", errorType, errorSchema);
            }
            if (metadata.OfType<CsvResponse>().Any() && operation.Responses.TryGetValue("200", out var okResponse) && okResponse is OpenApiResponse ok)
            {
                ok.Content ??= new Dictionary<string, OpenApiMediaType>();
                ok.Content["text/csv"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "RFC 4180 CSV with a header row" } };
            }
            foreach (var error in metadata.OfType<DocumentedError>())
                Add(operation, error.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Description, errorType, errorSchema);
            if (!anonymous)
            {
                Add(operation, "401", "No valid API key", errorType, errorSchema);
                Add(operation, "403", "The key's role may not do this", errorType, errorSchema);
            }
            if (path.Contains('{') || key is "POST /v1/eligibility") Add(operation, "404", "Not found", errorType, errorSchema);
            if (anonymous && cds) Add(operation, "406", "Only application/json is served", errorType, errorSchema);
            if (!anonymous || fhir) Add(operation, "400", "Invalid input; errors name each field", errorType, errorSchema);
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
            else if (type == typeof(LocalDate) || type == typeof(LocalDate?)) Typed(schema, JsonSchemaType.String, "date", nullable);
            else if (type == typeof(Instant) || type == typeof(Instant?)) Typed(schema, JsonSchemaType.String, "date-time", nullable);
            // Numbers are written as numbers: the generator's "or a numeric string" (lenient reading) is not what clients should send.
            else if (schema.Type is { } t && t.HasFlag(JsonSchemaType.String) && (t.HasFlag(JsonSchemaType.Integer) || t.HasFlag(JsonSchemaType.Number)))
            {
                schema.Type = t & ~JsonSchemaType.String;
                schema.Pattern = null;
            }
            // A list of strings (or dates) keeps its items: the generator drops primitive item schemas here.
            if (schema.Type is { } arrayType && arrayType.HasFlag(JsonSchemaType.Array) && schema.Items is null
                && type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)) is { } enumerable)
            {
                var element = Nullable.GetUnderlyingType(enumerable.GetGenericArguments()[0]) ?? enumerable.GetGenericArguments()[0];
                schema.Items = element == typeof(LocalDate) ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "date" }
                    : element == typeof(Guid) ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" }
                    : element == typeof(int) || element == typeof(long) ? new OpenApiSchema { Type = JsonSchemaType.Integer }
                    : element == typeof(decimal) ? new OpenApiSchema { Type = JsonSchemaType.Number }
                    : new OpenApiSchema { Type = JsonSchemaType.String };
            }
            // Requests: every member optional in the schema; the service names what is missing.
            if (type.Name.EndsWith("Request", StringComparison.Ordinal) && schema.Required is { Count: > 0 }) schema.Required.Clear();
            return Task.CompletedTask;
        });
        // The FHIR and CDS operations answer their own documented schemas, so the generator's JsonObject is left unused.
        options.AddDocumentTransformer((document, context, ct) =>
        {
            document.Components?.Schemas?.Remove("JsonObject");
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
