using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ProcedureTracker.Data.Imports;

namespace ProcedureTracker.Application.Imports;

/// <summary>
/// Runs queued import jobs (every process runs one worker; a job is claimed by exactly one). A job whose process died
/// mid-way is claimed again once its heartbeat is older than <c>PT_IMPORT_STALE_SECONDS</c> and run from the start:
/// rows stored before count as unchanged (externalIds), so every row is stored once. A job runs under its
/// organization's import lock, so it never overlaps an import sent directly.
/// </summary>
public sealed class ImportWorker(ImportJobStore jobs, ImportGate gate, ImportFile import, ImportSettings settings, ILogger<ImportWorker> logger)
    : BackgroundService
{
    /// <summary>Attempts before a job that keeps failing on a server error is marked failed.</summary>
    public const int MaxAttempts = 3;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var stale = TimeSpan.FromSeconds(Math.Max(1, settings.StaleSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await jobs.ClaimAsync(stale, stoppingToken) is { } claimed && await RunAsync(claimed.Job, claimed.File, stoppingToken)) continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { logger.LogWarning(e, "Import worker: {Reason}; retrying", e.GetType().Name); }
            try { await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Runs a claimed job; false when its organization's lock is held by an import sent directly (requeued).</summary>
    private async Task<bool> RunAsync(ImportJobRow job, byte[] file, CancellationToken stoppingToken)
    {
        var caller = QueuedBy(job);
        var (lease, _) = await gate.TryEnterAsync(caller, $"import {job.Id} of '{job.FileName}'", stoppingToken);
        if (lease is null) { await jobs.RequeueAsync(job.Id, CancellationToken.None); return false; }
        await using var held = lease;
        var handled = 0;
        try
        {
            using var stream = new MemoryStream(file, writable: false);
            // Stopping the process stops the job between batches (each batch is atomic); another process resumes it.
            var (summary, error) = await import.RunAsync(stream, caller,
                async rows => { handled = rows; await jobs.ProgressAsync(job.Id, rows, stoppingToken); }, stoppingToken);
            if (summary is null) await jobs.FinishAsync(job.Id, "refused", null, error, handled, CancellationToken.None);
            else await jobs.FinishAsync(job.Id, "done", ImportJobs.Serialize(summary), null, handled, CancellationToken.None);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("Import job {Job} interrupted by shutdown after {Rows} rows; it resumes on the next worker", job.Id, handled);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Import job {Job} failed (attempt {Attempt})", job.Id, job.Attempts);
            if (job.Attempts >= MaxAttempts)
                await jobs.FinishAsync(job.Id, "failed", null,
                    "The import stopped on a server error; rows before the failing batch are stored. Importing the same file again only adds what is missing.",
                    handled, CancellationToken.None);
            else await jobs.RequeueAsync(job.Id, CancellationToken.None);
        }
        return true;
    }

    /// <summary>The caller who queued the job, as the job runs for it.</summary>
    private static Caller QueuedBy(ImportJobRow job) => new(Actor.Of(job.ActorKind, job.Actor), job.Organization, job.Role, job.Door);
}
