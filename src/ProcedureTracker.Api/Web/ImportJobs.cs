using System.Collections.Concurrent;
using ProcedureTracker.Api.Imports;
using ProcedureTracker.Application.Imports;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Domain.Catalog;

namespace ProcedureTracker.Api.Web;

/// <summary>One import started from the web page: its progress while the server works, then its result.</summary>
public sealed class ImportJob(Guid id, long organizationId, string fileName)
{
    public Guid Id { get; } = id;
    public long OrganizationId { get; } = organizationId;
    public string FileName { get; } = fileName;
    public int RowsHandled { get; set; }
    public ImportEndpoints.ImportSummary? Summary { get; set; }
    public string? Error { get; set; }

    /// <summary>True when the server failed (not the file): the client may retry the same file.</summary>
    public bool Crashed { get; set; }
    public bool Done => Summary is not null || Error is not null;
}

/// <summary>
/// Imports started from the web page run on the server after the upload, so the page can show progress (it refreshes
/// itself; no JavaScript needed). Jobs live in this process for an hour; the file is spooled to a temporary file that
/// is deleted when the job ends.
/// </summary>
public sealed class ImportJobs(ImportHistory import, ProcedureCatalog catalog, ILogger<ImportJobs> logger)
{
    private readonly ConcurrentDictionary<Guid, (ImportJob Job, DateTime Started)> _jobs = new();

    public Task<ImportJob> StartAsync(Caller caller, IFormFile file, CancellationToken ct) =>
        StartAsync(caller, Path.GetFileName(file.FileName), (target, c) => file.CopyToAsync(target, c), ct);

    /// <summary>Spools the upload (so the request can end) and imports it in the background; the job reports progress.</summary>
    public async Task<ImportJob> StartAsync(Caller caller, string fileName, Func<Stream, CancellationToken, Task> copy, CancellationToken ct)
    {
        foreach (var (key, value) in _jobs)
            if (value.Started < DateTime.UtcNow.AddHours(-1)) _jobs.TryRemove(key, out _);
        var job = new ImportJob(Guid.NewGuid(), caller.Organization.Id, fileName);
        var spool = Path.Combine(Path.GetTempPath(), $"pt-import-{job.Id:N}.csv");
        await using (var target = File.Create(spool)) await copy(target, ct);
        _jobs[job.Id] = (job, DateTime.UtcNow);
        _ = Task.Run(async () =>
        {
            try
            {
                await using var stream = new FileStream(spool, FileMode.Open, FileAccess.Read, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
                var (summary, error) = await ImportEndpoints.RunAsync(stream, caller, import, catalog, rows => { job.RowsHandled = rows; return Task.CompletedTask; },
                    CancellationToken.None);
                (job.Summary, job.Error) = (summary, error);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Import job {Job} failed", job.Id);
                job.Crashed = true;
                job.Error = "The import stopped on a server error; rows before the failing batch are stored. Importing the same file again only adds what is missing.";
            }
        });
        return job;
    }

    /// <summary>The job when it belongs to the caller's organization; null otherwise.</summary>
    public ImportJob? Find(Caller caller, Guid id) =>
        _jobs.TryGetValue(id, out var entry) && entry.Job.OrganizationId == caller.Organization.Id ? entry.Job : null;
}
