using System.Text.Json;
using ProcedureTracker.Data.Imports;

namespace ProcedureTracker.Application.Imports;

/// <summary>How imports are bounded and resumed (PT_IMPORT_MAX_MB, PT_IMPORT_STALE_SECONDS).</summary>
/// <param name="MaxMegabytes">The largest file taken.</param>
/// <param name="StaleSeconds">A running job whose heartbeat is older than this is taken up by another worker.</param>
public sealed record ImportSettings(int MaxMegabytes, int StaleSeconds)
{
    public long MaxBytes => (long)MaxMegabytes * 1024 * 1024;
}

/// <summary>An import job as a page or the API shows it: its progress while a worker runs it, then its result.</summary>
public sealed class ImportJob(Guid id, string fileName, string state, int rowsHandled, ImportSummary? summary, string? error)
{
    public Guid Id { get; } = id;
    public string FileName { get; } = fileName;
    public string State { get; } = state;
    public int RowsHandled { get; } = rowsHandled;
    public ImportSummary? Summary { get; } = summary;
    public string? Error { get; } = error;

    /// <summary>True when the server failed (not the file): the client may retry the same file.</summary>
    public bool Crashed => State == "failed";
    public bool Done => State is "done" or "refused" or "failed";
}

/// <summary>
/// Import jobs (the web page, the CLI and <c>Prefer: respond-async</c> start them): the upload is kept in PostgreSQL
/// (<c>import_jobs</c>) and run by an <see cref="ImportWorker"/> of whichever process claims it, so every process shows
/// the same progress and a job outlives the process that took it.
/// </summary>
public sealed class ImportJobs(ImportJobStore store)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The result as stored: the summary, and the header and cells of the rejected rows (for "fix and re-import").</summary>
    public sealed record StoredResult(ImportSummary Summary, string[]? Header, Dictionary<int, string[]> Cells);

    public static string Serialize(ImportSummary summary) => JsonSerializer.Serialize(
        new StoredResult(summary, summary.Header, summary.Rejected.Where(r => r.Cells is not null).ToDictionary(r => r.Line, r => r.Cells!)), Json);

    private static ImportSummary? Deserialize(string? json)
    {
        if (json is null) return null;
        var stored = JsonSerializer.Deserialize<StoredResult>(json, Json)!;
        return stored.Summary with
        {
            Rejected = stored.Summary.Rejected.Select(r => r with { Cells = stored.Cells.GetValueOrDefault(r.Line) }).ToList(),
            Header = stored.Header,
        };
    }

    private static ImportJob View(ImportJobRow row) => new(row.Id, row.FileName, row.State, row.RowsHandled, Deserialize(row.Result), row.Error);

    /// <summary>
    /// Takes the upload and queues it; null with the running import when the organization has one. The door bounds
    /// what <paramref name="copy"/> writes (to <see cref="ImportSettings.MaxBytes"/>).
    /// </summary>
    public async Task<(ImportJob? Job, string? Running)> StartAsync(Caller caller, string fileName, Func<Stream, CancellationToken, Task> copy, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await copy(buffer, ct);
        var (queued, active) = await store.QueueAsync(Guid.CreateVersion7(), caller.Organization.Id, caller.ActorId, caller.Actor.Kind, caller.Role, caller.Door,
            fileName.Length > 200 ? fileName[..200] : fileName, buffer.ToArray(), ct);
        if (queued is not null) return (View(queued), null);
        return (null, active is null
            ? "Another import of this organization has just started; try again when it is done."
            : $"Another import of this organization is running: import {active.Id} of '{active.FileName}' (started {active.CreatedAt:HH:mm} UTC, {active.RowsHandled} rows so far). Wait for it to finish.");
    }

    /// <summary>The job when it belongs to the caller's organization; null otherwise.</summary>
    public async Task<ImportJob?> FindAsync(Caller caller, Guid id, CancellationToken ct) =>
        await store.FindAsync(caller.Organization.Id, id, ct) is { } row ? View(row) : null;

    /// <summary>A description of the organization's queued or running job, or null (a direct import checks it).</summary>
    public async Task<string?> RunningAsync(Caller caller, CancellationToken ct) =>
        await store.ActiveAsync(caller.Organization.Id, ct) is { } active ? $"import {active.Id} of '{active.FileName}' ({active.State})" : null;
}
