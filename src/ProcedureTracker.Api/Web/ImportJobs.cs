using System.Collections.Concurrent;
using ProcedureTracker.Api.Imports;
using ProcedureTracker.Api.Infrastructure;
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
public sealed class ImportJobs(ImportHistory import, ProcedureCatalog catalog, ImportGate gate,
    Microsoft.Extensions.Options.IOptions<TrackerOptions> options, ILogger<ImportJobs> logger)
{
    private readonly ConcurrentDictionary<Guid, (ImportJob Job, DateTime Started)> _jobs = new();

    public Task<(ImportJob? Job, string? Running)> StartAsync(Caller caller, IFormFile file, CancellationToken ct) =>
        file.Length > (long)options.Value.ImportMaxMegabytes * 1024 * 1024
            ? throw new BadHttpRequestException($"The file is larger than the import limit of {options.Value.ImportMaxMegabytes} MB; split it.", 413)
            : StartAsync(caller, Path.GetFileName(file.FileName), (target, c) => file.CopyToAsync(target, c), ct);

    /// <summary>
    /// Spools the upload (so the request can end, never more than the import limit) and imports it in the background;
    /// the job reports progress. Null with the running import's description when the organization has one running.
    /// </summary>
    public async Task<(ImportJob? Job, string? Running)> StartAsync(Caller caller, string fileName, Func<Stream, CancellationToken, Task> copy, CancellationToken ct)
    {
        foreach (var (key, value) in _jobs)
            if (value.Started < DateTime.UtcNow.AddHours(-1)) _jobs.TryRemove(key, out _);
        var job = new ImportJob(Guid.NewGuid(), caller.Organization.Id, fileName);
        var (lease, running) = await gate.TryEnterAsync(caller, $"import {job.Id} of '{fileName}' (started {DateTime.UtcNow:HH:mm} UTC)", ct);
        if (lease is null) return (null, $"Another import of this organization is running: {running}. Wait for it to finish.");
        var spool = Path.Combine(Path.GetTempPath(), $"pt-import-{job.Id:N}.csv");
        try
        {
            await using var target = File.Create(spool);
            await copy(new LimitedWriter(target, (long)options.Value.ImportMaxMegabytes * 1024 * 1024), ct);
        }
        catch
        {
            File.Delete(spool);
            await lease.DisposeAsync();
            throw;
        }
        _jobs[job.Id] = (job, DateTime.UtcNow);
        _ = Task.Run(async () =>
        {
            await using var held = lease;
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
        return (job, null);
    }

    /// <summary>The job when it belongs to the caller's organization; null otherwise.</summary>
    public ImportJob? Find(Caller caller, Guid id) =>
        _jobs.TryGetValue(id, out var entry) && entry.Job.OrganizationId == caller.Organization.Id ? entry.Job : null;

    /// <summary>A spool file that refuses to grow past the limit (a body without Content-Length included).</summary>
    private sealed class LimitedWriter(Stream inner, long limit) : Stream
    {
        private long _written;
        public override void Write(byte[] buffer, int offset, int count) { Check(count); inner.Write(buffer, offset, count); }
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) { Check(buffer.Length); await inner.WriteAsync(buffer, ct); }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();
        private void Check(int n)
        {
            if ((_written += n) > limit) throw new BadHttpRequestException($"The file is larger than the import limit of {limit / 1024 / 1024} MB; split it.", 413);
        }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
