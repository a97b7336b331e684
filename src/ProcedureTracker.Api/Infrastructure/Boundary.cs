using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>
/// Every JSON string the typed endpoints read passes <see cref="InputText"/>: NUL, control characters and unpaired
/// surrogates become a <see cref="JsonException"/>, which the exception handler turns into a 400 naming the field.
/// </summary>
public sealed class StrictStringConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("Expected a string.");
        string value;
        try { value = reader.GetString()!; }
        catch (InvalidOperationException) { throw new JsonException("The string is not valid UTF-8 / UTF-16 text."); }
        return InputText.Problem(value) is { } problem ? throw new JsonException(problem) : value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>A JSON body read for the doors that walk JSON themselves (FHIR, CDS Hooks): parsed, or why not with the path.</summary>
public sealed record JsonBody(JsonNode? Node, string? Error, string? Path)
{
    /// <summary>Largest body read (FHIR batches included).</summary>
    public const int MaxBytes = 8 * 1024 * 1024;

    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    /// <summary>
    /// Reads the body once: syntax, duplicate keys (refused: which one wins is undefined), depth, and every string and
    /// property name against <see cref="InputText"/>. A refusal never quotes the request text.
    /// </summary>
    public static async Task<JsonBody> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        // Never more than the limit in memory, whatever Content-Length says (or omits).
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes) return new JsonBody(null, $"The body is larger than {MaxBytes / 1024 / 1024} MB.", null);
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) return new JsonBody(null, "A JSON body is required.", null);
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        // JSON text is UTF-8 (RFC 8259 section 8.1): invalid bytes are refused before parsing, wherever they sit.
        if (System.Text.Unicode.Utf8.IsValid(bytes.Span) is false) return new JsonBody(null, "The body is not valid UTF-8 text.", null);
        try
        {
            // One parse: the node tree is checked as it is walked (the same options refuse duplicate keys and deep nesting).
            var node = JsonNode.Parse(bytes.Span, documentOptions: Options);
            return Check(node, "$") is { } bad ? new JsonBody(null, bad.Error, bad.Path) : new JsonBody(node, null, null);
        }
        catch (InvalidOperationException)
        {
            // A property name or string escape that is not Unicode text (a lone surrogate such as "\ud800").
            return new JsonBody(null, "The body has text that is not valid Unicode (an unpaired surrogate escape).", null);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            var message = e.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) || e is ArgumentException
                ? "The body has a duplicate property name."
                : $"The body is not valid JSON (line {((JsonException)e).LineNumber + 1}, byte {((JsonException)e).BytePositionInLine}).";
            return new JsonBody(null, message, (e as JsonException)?.Path);
        }
    }

    private static (string Error, string Path)? Check(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return Text(() => value.GetValue<string>(), path);
            case JsonObject obj:
                foreach (var (name, member) in obj)
                {
                    if (Text(() => name, path) is { } bad) return bad;
                    if (Check(member, $"{path}.{name}") is { } inner) return inner;
                }
                return null;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                    if (Check(array[i], $"{path}[{i}]") is { } inner) return inner;
                return null;
            default:
                return null;
        }
    }

    private static (string, string)? Text(Func<string?> read, string path)
    {
        try { return InputText.Problem(read()) is { } problem ? (problem, path) : null; }
        catch (InvalidOperationException) { return ("The text is not valid UTF-8 / UTF-16.", path); }
    }
}

/// <summary>
/// Query values, route values and the headers the doors read pass <see cref="InputText"/> before any endpoint runs; a
/// refusal is a 400 in the door's error format naming the parameter.
/// </summary>
public sealed class InputGuardMiddleware(RequestDelegate next)
{
    private static readonly string[] Headers = ["If-None-Exist", "X-Api-Key", "Authorization"];

    /// <summary>Where a web page's refused field is kept for the error page that names it (the pages' door is HTML).</summary>
    public const string RefusedFieldItem = "pt:refused-field";

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var web = !ProcedureTracker.Api.Web.WebAuth.IsMachinePath(context.Request.Path);
        if (web && (context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is not null
                    || context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>() is not null))
        {
            // An error page re-executed for a form post renders as a page (a POST would be taken for a form submission).
            context.Request.Method = HttpMethods.Get;
            await next(context);
            return;
        }
        var fields = context.Request.Query.Select(q => (Name: q.Key, Values: (IEnumerable<string?>)q.Value.Append(q.Key)))
            .Concat(context.Request.RouteValues.Select(r => (Name: r.Key, Values: (IEnumerable<string?>)[r.Value as string])))
            .Concat(Headers.Select(h => (Name: h, Values: (IEnumerable<string?>)context.Request.Headers[h])));
        // The web pages' form fields pass the same boundary (uploads are CSV, checked cell by cell by the import).
        if (web && HttpMethods.IsPost(context.Request.Method) && context.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            fields = fields.Concat(form.Select(f => (Name: f.Key, Values: (IEnumerable<string?>)f.Value.Append(f.Key))));
        }
        var bad = fields.FirstOrDefault(p => p.Values.Any(v => !InputText.IsClean(v)));
        if (bad.Name is null) { await next(context); return; }

        if (web)
        {
            // People get the application's 400 page naming the field (re-executed by the status-code pages).
            context.Items[RefusedFieldItem] = (bad.Name, InputText.Problem(bad.Values.First(v => !InputText.IsClean(v)))!);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = 400, Title = "The request has invalid fields." };
        problem.Extensions["errors"] = new Dictionary<string, string[]> { [bad.Name] = [InputText.Problem(bad.Values.First(v => !InputText.IsClean(v)))!] };
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
