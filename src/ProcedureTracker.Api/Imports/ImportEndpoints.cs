using Microsoft.AspNetCore.Http.Features;
using ProcedureTracker.Application.Imports;

namespace ProcedureTracker.Api.Imports;

/// <summary>The CSV import door: takes the file (bounded) and hands it to <see cref="ImportFile"/> or <see cref="ImportJobs"/>.</summary>
public static class ImportEndpoints
{
    public static void MapImports(this IEndpointRouteBuilder v1)
    {
        v1.MapPost("/imports", Import)
            .WithName("importHistory").WithSummary("Import history (CSV)")
            .WithDescription("text/csv with a header row; rows validated one by one (line numbers in the answer), imported a batch at a time, idempotent by externalId. With Prefer: respond-async it answers 202 with a job to follow at GET /v1/imports/{id}. At most PT_IMPORT_MAX_MB (50) MB, else 413; the first 1,000 rejected and over-limit lines are listed, rejectedTotal and overLimitTotal count them all; one import per organization at a time (409 names the running one).").WithTags("Import").RequireAuthorization(Permission.Reports).Accepts<string>("text/csv");
        v1.MapGet("/imports/{id:guid}", Job)
            .WithName("getImport").WithSummary("An import's progress and result")
            .WithDescription("State running, done or failed, rows handled so far, and the full result (every rejected and over-limit line) when done.").WithTags("Import").RequireAuthorization(Permission.Reports);
    }

    public sealed record ImportJobResponse(Guid Id, string State, string FileName, int RowsHandled, ImportSummary? Result, string? Error);

    /// <summary>A job as answered: state queued, running, done, refused (the file's header) or failed (a server error).</summary>
    private static ImportJobResponse Describe(ImportJob job) => new(job.Id, job.State, job.FileName, job.RowsHandled, job.Summary, job.Error);

    private static async Task<Results<Ok<ImportJobResponse>, ProblemHttpResult>> Job(Guid id, Caller caller, ImportJobs jobs, CancellationToken ct) =>
        await jobs.FindAsync(caller, id, ct) is { } job ? TypedResults.Ok(Describe(job)) : Problems.NotFound($"No import {id} of this organization.");

    /// <summary>
    /// Streams the CSV body into the import (answered when it is done), or with <c>Prefer: respond-async</c> (RFC 7240)
    /// queues it as a job that <c>GET /v1/imports/{id}</c> reports on.
    /// </summary>
    private static async Task<Results<Ok<ImportSummary>, Accepted<ImportJobResponse>, ValidationProblem, ProblemHttpResult>> Import(HttpContext context,
        Caller caller, ImportFile import, ImportJobs jobs, ImportGate gate, ImportSettings settings, IClock clock, CancellationToken ct)
    {
        if (context.Request.ContentType is not { } type || !type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
            return Problems.Invalid("body", "Send the file as text/csv.");
        if (context.Request.ContentLength > settings.MaxBytes)
            return Problems.TooLarge($"The file is larger than the import limit of {settings.MaxMegabytes} MB (PT_IMPORT_MAX_MB); split it.");
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = settings.MaxBytes;
        var body = new LimitedStream(context.Request.Body, settings.MaxBytes);

        if (context.Request.Headers["Prefer"].Any(p => p?.Contains("respond-async", StringComparison.OrdinalIgnoreCase) == true))
        {
            var (job, running) = await jobs.StartAsync(caller, context.Request.Headers["X-File-Name"].FirstOrDefault() ?? "upload.csv",
                (target, c) => body.CopyToAsync(target, c), ct);
            return job is null ? Problems.Conflict(running!) : TypedResults.Accepted($"/v1/imports/{job.Id}", Describe(job));
        }
        if (await jobs.RunningAsync(caller, ct) is { } active) return Problems.Conflict($"Another import of this organization is running: {active}. Wait for it to finish.");
        var (lease, busy) = await gate.TryEnterAsync(caller, $"an import sent to the API at {clock.GetCurrentInstant().InUtc():HH:mm} UTC", ct);
        if (lease is null) return Problems.Conflict(busy!);
        await using (lease)
        {
            var (summary, error) = await import.RunAsync(body, caller, null, ct);
            return summary is null ? Problems.Invalid(error!.StartsWith("Line ", StringComparison.Ordinal) ? "body" : "header", error) : TypedResults.Ok(summary);
        }
    }
}
