using System.Globalization;
using System.Text.Json.Nodes;

namespace ProcedureTracker.Api.Tests.Integrators;

/// <summary>
/// A small JSON Schema (2020-12) validator for the keywords the served OpenAPI document uses: type (with null), properties,
/// required, items, additionalProperties, $ref into the document's components, oneOf/anyOf/allOf, enum, and the date and
/// date-time formats (asserted). JSON-schema libraries are not restorable here (their dependencies are missing).
/// </summary>
public sealed class SchemaValidator(JsonObject document)
{
    public List<string> Validate(JsonNode schema, JsonNode? value, string at = "$")
    {
        var errors = new List<string>();
        Check(schema, value, at, errors, 0);
        return errors;
    }

    private JsonNode Resolve(JsonNode schema)
    {
        while (schema is JsonObject o && o["$ref"] is JsonValue r)
        {
            var path = r.GetValue<string>();
            if (!path.StartsWith("#/", StringComparison.Ordinal)) throw new NotSupportedException(path);
            JsonNode? target = document;
            foreach (var part in path[2..].Split('/')) target = target?[part.Replace("~1", "/").Replace("~0", "~")];
            schema = target ?? throw new InvalidOperationException($"Unresolved {path}");
        }
        return schema;
    }

    private void Check(JsonNode schemaNode, JsonNode? value, string at, List<string> errors, int depth)
    {
        if (depth > 64) return;
        if (schemaNode is JsonValue b && b.TryGetValue<bool>(out var allowed)) { if (!allowed) errors.Add($"{at}: not allowed"); return; }
        var schema = Resolve(schemaNode).AsObject();

        if (schema["type"] is { } type)
        {
            var types = type is JsonArray a ? a.Select(t => t!.GetValue<string>()).ToList() : [type.GetValue<string>()];
            if (!types.Any(t => IsType(t, value))) { errors.Add($"{at}: expected {string.Join("|", types)}, got {Kind(value)}"); return; }
        }
        if (schema["enum"] is JsonArray values && !values.Any(v => JsonNode.DeepEquals(v, value))) errors.Add($"{at}: not one of the allowed values");
        if (schema["format"] is JsonValue f && value is JsonValue s && s.TryGetValue<string>(out var text))
        {
            var format = f.GetValue<string>();
            if (format == "date" && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                errors.Add($"{at}: '{text}' is not a date");
            if (format == "date-time" && !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                errors.Add($"{at}: '{text}' is not a date-time");
        }
        if (value is JsonObject obj)
        {
            var properties = schema["properties"] as JsonObject;
            foreach (var required in schema["required"] as JsonArray ?? [])
                if (!obj.ContainsKey(required!.GetValue<string>())) errors.Add($"{at}: required member '{required}' is missing");
            foreach (var (name, member) in obj)
            {
                if (properties?[name] is { } propertySchema) Check(propertySchema, member, $"{at}.{name}", errors, depth + 1);
                else if (schema["additionalProperties"] is { } extra) Check(extra, member, $"{at}.{name}", errors, depth + 1);
            }
        }
        if (value is JsonArray array && schema["items"] is { } items)
            for (var i = 0; i < array.Count; i++) Check(items, array[i], $"{at}[{i}]", errors, depth + 1);
        if (schema["allOf"] is JsonArray all)
            foreach (var part in all) Check(part!, value, at, errors, depth + 1);
        if (schema["anyOf"] is JsonArray any && !any.Any(part => Validate(part!, value, at).Count == 0)) errors.Add($"{at}: matches none of anyOf");
        if (schema["oneOf"] is JsonArray one)
        {
            var matches = one.Count(part => Validate(part!, value, at).Count == 0);
            if (matches != 1) errors.Add($"{at}: matches {matches} of oneOf (exactly one expected)");
        }
    }

    private static bool IsType(string type, JsonNode? value) => type switch
    {
        "null" => value is null,
        "object" => value is JsonObject,
        "array" => value is JsonArray,
        "string" => value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String,
        "boolean" => value is JsonValue v && v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False,
        "integer" => value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number && decimal.TryParse(v.ToJsonString(), CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d),
        "number" => value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number,
        _ => false,
    };

    private static string Kind(JsonNode? value) => value switch { null => "null", JsonObject => "object", JsonArray => "array", JsonValue v => v.GetValueKind().ToString().ToLowerInvariant(), _ => "unknown" };
}
