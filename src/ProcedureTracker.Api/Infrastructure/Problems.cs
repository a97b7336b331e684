using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>Problem+json answers shared by the endpoints.</summary>
public static class Problems
{
    public static ValidationProblem Invalid(ValidationErrors errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(), title: "The request has invalid fields.");

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request has invalid fields.");

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request is too large.", detail: detail);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");
}

/// <summary>
/// Turns exceptions into problem+json: malformed JSON → 400 naming the field; PostgreSQL unreachable → 503
/// (never 500 for a database outage); anything else → 500 without internals.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var (status, title, detail, errors) = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } => (400, "The request body is not valid JSON for this endpoint.",
                null, Field(json)),
            BadHttpRequestException bad => (bad.StatusCode, Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(bad.StatusCode), bad.Message, null),
            _ when IsDatabaseUnavailable(exception) => (503, "Database unavailable", "The database cannot be reached; try again shortly.", null),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => (499, "Client closed request", null, null),
            _ => (500, "Internal error", "An unexpected error occurred; it has been logged.", (Dictionary<string, string[]>?)null),
        };
        if (status >= 500) logger.LogError(exception, "Request {Reference} failed with {Status}", context.TraceIdentifier, status);
        else logger.LogDebug(exception, "Request {Reference} failed with {Status}", context.TraceIdentifier, status);
        // People get the application's error page (re-executed by the web pages' exception handler), with the same reference.
        if (!ProcedureTracker.Api.Web.WebAuth.IsMachinePath(context.Request.Path)) return false;

        context.Response.StatusCode = status;
        if (status == 503) context.Response.Headers.RetryAfter = "5";
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail };
        if (errors is not null) problem.Extensions["errors"] = errors;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// The field a JSON error is about and what is wrong with it, in words a client can act on (never the serializer's
    /// own text, which names .NET types): an unknown member (a misspelt "steriod" must not be dropped silently), text
    /// that is not Unicode, or a value of the wrong type or format.
    /// </summary>
    private static Dictionary<string, string[]> Field(JsonException json)
    {
        var path = json.Path is null or "$" ? "body" : json.Path.StartsWith("$.", StringComparison.Ordinal) ? json.Path[2..] : json.Path.TrimStart('$');
        var message = json.Message;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal)
            && System.Text.RegularExpressions.Regex.Match(message, "'([^']*)'") is { Success: true } unknown)
        {
            var name = unknown.Groups[1].Value;
            var at = path == "body" ? name : path.EndsWith(name, StringComparison.Ordinal) ? path : $"{path}.{name}";
            return new() { [at] = ["Unknown field: this request has no such member (check its spelling against the API's fields)."] };
        }
        // The boundary's own messages (StrictStringConverter: control characters, unpaired surrogates, invalid UTF-8) are kept.
        var own = message.Split(" Path:")[0];
        if (json.InnerException is null && !own.Contains(".NET", StringComparison.Ordinal) && !own.Contains("System.", StringComparison.Ordinal)
            && !own.Contains("ProcedureTracker.", StringComparison.Ordinal) && !own.StartsWith("The JSON value could not be converted", StringComparison.Ordinal)
            && !own.Contains("is invalid after", StringComparison.Ordinal) && own.Length < 300)
            return new() { [path] = [own] };
        if (json.InnerException is InvalidOperationException || message.Contains("surrogate", StringComparison.OrdinalIgnoreCase)
            || message.Contains("UTF-8", StringComparison.Ordinal) || message.Contains("transcode", StringComparison.OrdinalIgnoreCase))
            return new() { [path] = ["The text is not valid UTF-8 / Unicode (an invalid byte or an unpaired surrogate escape)."] };
        return new() { [path] = ["This value has the wrong type or format."] };
    }

    /// <summary>True for failures to reach PostgreSQL (refused, reset, timed out, shutting down), not for SQL errors.</summary>
    public static bool IsDatabaseUnavailable(Exception exception) => exception switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal),
        NpgsqlException => true,
        SocketException or TimeoutException => true,
        _ when exception.InnerException is { } inner => IsDatabaseUnavailable(inner),
        _ => false,
    };
}

/// <summary>
/// Writes every error in its door's format whatever the Accept header asks (a client that asked for CSV or HTML still
/// needs to know what went wrong): a FHIR OperationOutcome under <c>/fhir</c>, problem+json everywhere else (the JSON
/// API and CDS Hooks). Registered before the framework's writer, it always can write.
/// </summary>
public sealed class DoorProblemWriter(Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> options) : IProblemDetailsWriter
{
    private readonly JsonSerializerOptions Json = options.Value.SerializerOptions;

    public bool CanWrite(ProblemDetailsContext context) => true;

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        var status = problem.Status ?? http.Response.StatusCode;
        problem.Status ??= status;
        problem.Title ??= Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
        if (http.Request.Path.StartsWithSegments("/fhir"))
        {
            var errors = problem is Microsoft.AspNetCore.Http.HttpValidationProblemDetails v ? v.Errors
                : problem.Extensions.TryGetValue("errors", out var e) ? e as IDictionary<string, string[]> : null;
            var outcome = errors is { Count: > 0 }
                ? Fhir.FhirJson.Outcome(errors)
                : Fhir.FhirJson.Outcome("error", Fhir.FhirJson.IssueCode(status), problem.Detail ?? problem.Title!);
            http.Response.ContentType = Fhir.FhirEndpoints.MediaType;
            await http.Response.WriteAsync(outcome.ToJsonString(), http.RequestAborted);
            return;
        }
        http.Response.ContentType = "application/problem+json";
        await JsonSerializer.SerializeAsync(http.Response.Body, problem, problem.GetType(), Json, http.RequestAborted);
    }
}
