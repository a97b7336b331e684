using System.Collections.Concurrent;
using ProcedureTracker.Data.Imports;
using ProcedureTracker.Data.Organizations;

namespace ProcedureTracker.Api.Imports;

/// <summary>
/// One running import per organization (every door: the JSON API, its Prefer: respond-async jobs, the web page), held
/// by the database's advisory lock so it holds across processes; a second is refused with 409 naming the running one.
/// </summary>
public sealed class ImportGate(ImportStore store)
{
    private readonly ConcurrentDictionary<long, string> _running = new();

    /// <summary>The lease of the organization's import, or null with the description of the one running.</summary>
    public async Task<(IAsyncDisposable? Lease, string? Running)> TryEnterAsync(Caller caller, string description, CancellationToken ct)
    {
        var connection = await store.TryLockImportsAsync(caller.Organization.Id, ct);
        if (connection is null)
            return (null, _running.TryGetValue(caller.Organization.Id, out var running) ? running : "an import started on another server of this service");
        _running[caller.Organization.Id] = description;
        return (new Lease(async () =>
        {
            _running.TryRemove(caller.Organization.Id, out _);
            await ImportStore.UnlockImportsAsync(connection, caller.Organization.Id);
        }), null);
    }

    private sealed class Lease(Func<Task> release) : IAsyncDisposable
    {
        private int _released;
        public async ValueTask DisposeAsync() { if (Interlocked.Exchange(ref _released, 1) == 0) await release(); }
    }
}

/// <summary>A request body read up to a limit: past it, a 413 naming the limit (nothing beyond it is read or kept).</summary>
public sealed class LimitedStream(Stream inner, long limit) : Stream
{
    private long _read;

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => Count(await inner.ReadAsync(buffer, ct));
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    private int Count(int n)
    {
        _read += n;
        if (_read > limit)
            throw new BadHttpRequestException($"The file is larger than the import limit of {limit / 1024 / 1024} MB (PT_IMPORT_MAX_MB); split it.",
                StatusCodes.Status413PayloadTooLarge);
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
