using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ProcedureTracker.Data;

/// <summary>
/// In-memory caches that every API process drops the moment any process changes what they hold: a change sends
/// <c>NOTIFY pt_invalidate</c> inside its own transaction (so it is heard only once committed), and each process
/// listens on a dedicated connection. While that connection is down the caches are bypassed, so a revoked key can never
/// keep working because a notification was missed.
/// </summary>
public sealed class Invalidation
{
    public const string Channel = "pt_invalidate";
    private readonly ConcurrentDictionary<string, object> _caches = new();
    private volatile bool _listening;

    private long _generation;

    /// <summary>Grows with every invalidation: a value read before may be cached only if this has not moved since.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>True while this process hears every change: only then may a cache answer.</summary>
    public bool Listening => _listening;

    /// <summary>The cache named <paramref name="name"/> (created on first use).</summary>
    public ConcurrentDictionary<TKey, TValue> Cache<TKey, TValue>(string name) where TKey : notnull =>
        (ConcurrentDictionary<TKey, TValue>)_caches.GetOrAdd(name, _ => new ConcurrentDictionary<TKey, TValue>());

    /// <summary>Sends the invalidation inside the caller's transaction: <c>keys</c>, or <c>policies:{organization id}</c>.</summary>
    public static Task NotifyAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string what, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("select pg_notify(@channel, @what)", new { channel = Channel, what }, tx, cancellationToken: ct));

    /// <summary>
    /// Drops a cache entry in this process at once, after the change committed: the writer reads its own write on its
    /// next request, without waiting for its own notification to come back.
    /// </summary>
    public void DropLocal(string what) => Drop(what);

    private void Drop(string what)
    {
        Interlocked.Increment(ref _generation);
        if (what == "keys") Clear("keys");
        else if (what.StartsWith("policies:", StringComparison.Ordinal) && long.TryParse(what["policies:".Length..], out var org))
            Cache<long, object>("policies").TryRemove(org, out _);
        else ClearAll();
    }

    private void Clear(string name)
    {
        if (_caches.TryGetValue(name, out var cache)) ((System.Collections.IDictionary)cache).Clear();
    }

    private void ClearAll()
    {
        Interlocked.Increment(ref _generation);
        foreach (var cache in _caches.Values) ((System.Collections.IDictionary)cache).Clear();
    }

    /// <summary>Listens until <paramref name="ct"/> ends, reconnecting after failures (caches bypassed and cleared meanwhile).</summary>
    public async Task ListenAsync(NpgsqlDataSource dataSource, ILogger logger, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(ct);
                connection.Notification += (_, e) => Drop(e.Payload);
                await connection.ExecuteAsync($"listen {Channel}");
                ClearAll();          // anything cached before this point may have missed a notification
                _listening = true;
                while (!ct.IsCancellationRequested) await connection.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
            catch (Exception e)
            {
                logger.LogWarning("Cache invalidation listener lost its connection ({Message}); caches are bypassed until it is back.", e.Message);
            }
            finally
            {
                _listening = false;
                ClearAll();
            }
            if (!ct.IsCancellationRequested) await Task.Delay(TimeSpan.FromSeconds(1), ct).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
