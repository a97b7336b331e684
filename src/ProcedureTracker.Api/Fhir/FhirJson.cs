using System.Text.Json.Nodes;

namespace ProcedureTracker.Api.Fhir;

/// <summary>The few FHIR JSON shapes the mapping needs, read from <see cref="JsonNode"/> (no FHIR library is available here).</summary>
public static class FhirJson
{
    /// <summary>The member <paramref name="name"/> of an object; null when the node is missing or not an object (never throws on a wrong shape).</summary>
    public static JsonNode? Get(this JsonNode? node, string name) => node is JsonObject o && o.TryGetPropertyValue(name, out var v) ? v : null;

    /// <summary>A string member; null when missing or not a string.</summary>
    public static string? Str(this JsonNode? node, string name) => node.Get(name) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The non-null items of an array member; empty when missing or not an array.</summary>
    public static IEnumerable<JsonNode> Array(this JsonNode? node, string name) =>
        node.Get(name) is JsonArray a ? a.Where(x => x is not null).Select(x => x!) : [];

    /// <summary>The FHIR issue type for an HTTP status.</summary>
    public static string IssueCode(int status) => status switch
    {
        401 => "login",
        403 => "forbidden",
        404 => "not-found",
        405 or 415 => "not-supported",
        409 => "conflict",
        412 => "conflict",
        >= 500 => "exception",
        _ => "invalid",
    };

    /// <summary>The codings of a CodeableConcept (or of each CodeableConcept in an array).</summary>
    public static IEnumerable<(string? System, string? Code)> Codings(this JsonNode? concept) =>
        concept switch
        {
            JsonArray many => many.SelectMany(c => c.Codings()),
            JsonObject one => one.Array("coding").Select(c => (c.Str("system"), c.Str("code"))),
            _ => [],
        };

    public static JsonNode? Extension(this JsonNode? node, string url) => node.Array("extension").FirstOrDefault(e => e.Str("url") == url);

    /// <summary>An OperationOutcome with one issue; <paramref name="expression"/> names the element (FHIRPath).</summary>
    public static JsonObject Outcome(string severity, string code, string diagnostics, string? expression = null)
    {
        var issue = new JsonObject { ["severity"] = severity, ["code"] = code, ["diagnostics"] = diagnostics };
        if (expression is not null) issue["expression"] = new JsonArray(expression);
        return new JsonObject { ["resourceType"] = "OperationOutcome", ["issue"] = new JsonArray(issue) };
    }

    /// <summary>An OperationOutcome with one error issue per field error.</summary>
    public static JsonObject Outcome(IDictionary<string, string[]> errors) => new()
    {
        ["resourceType"] = "OperationOutcome",
        ["issue"] = new JsonArray(errors.SelectMany(e => e.Value.Select(m => (JsonNode)new JsonObject
        {
            ["severity"] = "error", ["code"] = "invalid", ["diagnostics"] = m, ["expression"] = new JsonArray(e.Key),
        })).ToArray()),
    };
}
