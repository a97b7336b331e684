using System.Collections.Concurrent;
using ProcedureTracker.Data.Imports;

namespace ProcedureTracker.Application.Imports;

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
