using NodaTime;
using Npgsql;
using Polly;
using Polly.Retry;

namespace ProcedureTracker.Data;

/// <summary>The one <see cref="NpgsqlDataSource"/> of a process, with the retry pipeline for idempotent work.</summary>
public sealed class TrackerDatabase : IAsyncDisposable
{
    /// <summary>Opens a data source on <paramref name="connectionString"/> and registers the NodaTime type handlers.</summary>
    /// <param name="clock">The service's clock: which year is this year for the partitions.</param>
    public TrackerDatabase(string connectionString, IClock clock, string? readConnectionString = null)
    {
        _clock = clock;
        TypeHandlers.Register();
        // Every statement here is parameterized and repeated: let Npgsql prepare the hot ones on each connection (unless
        // the connection string says otherwise).
        static NpgsqlDataSourceBuilder Builder(string connectionString, string name)
        {
            var b = new NpgsqlDataSourceBuilder(connectionString) { Name = name };
            if (b.ConnectionStringBuilder.MaxAutoPrepare == 0) b.ConnectionStringBuilder.MaxAutoPrepare = 64;
            b.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            return b;
        }
        var builder = Builder(connectionString, "tracker");
        DataSource = builder.Build();
        ConnectionString = builder.ConnectionString;
        // Statements that stand alone on the primary (the check's context, the hot path of every EHR order, and a record's
        // read and conditional insert) get a data source of their own. Its statements keep one generic plan
        // (plan_cache_mode): on the yearly partitions of injections PostgreSQL would otherwise re-plan every execution (a
        // custom plan prunes at planning time, and planning costs more than the index scans), while a generic plan prunes
        // when it starts. And it shares physical connections: Npgsql multiplexing writes the statements of many concurrent
        // requests in one go and reads their answers back in order, so a busy service makes far fewer round trips and
        // thread switches than one connection per request. Transactions, COPY and LISTEN never use it. Multiplexing is off when the operator sets Multiplexing in the connection string,
        // and for a multi-host string (failover keeps the plain pool, whose Target Session Attributes pick the primary).
        var explicitSetting = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.ContainsKey("Multiplexing");
        var multiHost = builder.ConnectionStringBuilder.Host?.Contains(',') == true;
        var checks = Builder(connectionString, "tracker-checks");
        checks.ConnectionStringBuilder.Multiplexing = !explicitSetting && !multiHost || builder.ConnectionStringBuilder.Multiplexing;
        checks.ConnectionStringBuilder.Options = $"{checks.ConnectionStringBuilder.Options} {GenericPlans}".Trim();
        CheckSource = checks.Build();
        // LISTEN needs a connection of its own: a multiplexed data source (Multiplexing=true) cannot wait for notifications.
        var listen = new NpgsqlDataSourceBuilder(connectionString) { Name = "tracker-listen" };
        listen.ConnectionStringBuilder.Multiplexing = false;
        ListenSource = listen.Build();
        // Reads that may lag (reports, FHIR search, history listings) may go to standbys; everything else reads the primary.
        if (!string.IsNullOrWhiteSpace(readConnectionString))
        {
            ReadSource = Builder(readConnectionString, "tracker-read").Build();
        }
        Retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                // Only transient failures (connection refused/reset, timeouts, serialization failures, deadlocks).
                ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>(e => e.IsTransient),
                MaxRetryAttempts = 3,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
            })
            .Build();
    }

    /// <summary>The connection string in use (with the settings this class adds).</summary>
    public string ConnectionString { get; }

    /// <summary>Caches of slowly changing rows (keys, policy versions), dropped at once when any process changes them.</summary>
    public Invalidation Invalidation { get; } = new();

    /// <summary>The process-wide data source; open connections with <c>await using</c>.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>The startup option that keeps one generic plan per prepared statement (see the constructor).</summary>
    public const string GenericPlans = "-c plan_cache_mode=force_generic_plan";

    /// <summary>The data source for statements that stand alone on the primary (see the constructor).</summary>
    private NpgsqlDataSource CheckSource { get; }

    /// <summary>
    /// Opens a connection for statements that each stand alone, outside any transaction, on the primary: a check's
    /// context and a record's read (which must see the latest commit), a record's conditional insert (one statement, its
    /// own transaction). Generic plans, multiplexed when enabled. Never begin a transaction on it.
    /// </summary>
    public ValueTask<NpgsqlConnection> OpenForSingleStatementAsync(CancellationToken ct) => CheckSource.OpenConnectionAsync(ct);

    /// <summary>The data source the invalidation listener holds its connection from (never multiplexed).</summary>
    public NpgsqlDataSource ListenSource { get; }

    /// <summary>Retries transient failures with exponential backoff and jitter. Use it for idempotent work only.</summary>
    public ResiliencePipeline Retry { get; }

    /// <summary>Opens a connection.</summary>
    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct) => DataSource.OpenConnectionAsync(ct);

    /// <summary>The data source for reads that may lag behind the primary (standbys); the primary's when none is configured.</summary>
    public NpgsqlDataSource? ReadSource { get; }

    /// <summary>
    /// Opens a connection for a read that may see data a moment old: reports, FHIR search, history listings. Never use it
    /// for a check or anything a write decides on: those must see the record stored a moment ago.
    /// </summary>
    public ValueTask<NpgsqlConnection> OpenForLaggingReadAsync(CancellationToken ct) => (ReadSource ?? DataSource).OpenConnectionAsync(ct);

    /// <summary>
    /// Makes the yearly partitions of injections and audit_log for <paramref name="firstYear"/> to <paramref name="lastYear"/>
    /// (idempotent; rows of those years waiting in a default partition move in).
    /// </summary>
    public async Task EnsurePartitionsAsync(int firstYear, int lastYear, CancellationToken ct)
    {
        await using var connection = await DataSource.OpenConnectionAsync(ct);
        // No time limit: making a year's partition moves every row of that year waiting in the default partition.
        await using var command = new NpgsqlCommand("select ensure_partitions(@first, @last)", connection) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("first", firstYear);
        command.Parameters.AddWithValue("last", lastYear);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>This year's and next year's partitions (at start and once a day): no row of the coming year waits in a default partition.</summary>
    public Task EnsureCurrentPartitionsAsync(CancellationToken ct)
    {
        var year = ThisYear;
        return EnsurePartitionsAsync(year, year + 1, ct);
    }

    /// <summary>
    /// Makes sure the yearly partitions of injections exist for <paramref name="years"/> before rows of those years are
    /// written (a history import reaches back years before the service started; a record may be backdated), so they do
    /// not pile up in the default partition where no query is pruned. Known years are answered from memory. Years after
    /// next year are left to the default partition (the daily upkeep moves them when their year comes): a mistyped
    /// future year must not add a partition that every check then locks.
    /// </summary>
    public async Task EnsurePartitionYearsAsync(IEnumerable<int> years, CancellationToken ct)
    {
        if (_partitionYears is null)
        {
            await using var connection = await DataSource.OpenConnectionAsync(ct);
            await using var command = new NpgsqlCommand("""
                select substring(c.relname from '^injections_([0-9]{4})$')::int from pg_inherits h join pg_class c on c.oid = h.inhrelid
                where h.inhparent = 'injections'::regclass and c.relname ~ '^injections_[0-9]{4}$'
                """, connection);
            var known = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
            await using (var reader = await command.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) known[reader.GetInt32(0)] = true;
            _partitionYears = known;
        }
        foreach (var year in years.Distinct())
        {
            // The doors refuse dates outside the configured span; this is the last guard on what makes a partition.
            if (_partitionYears.ContainsKey(year) || year < 1900 || year > ThisYear + 1) continue;
            await EnsurePartitionsAsync(year, year, ct);
            _partitionYears[year] = true;
        }
    }

    private System.Collections.Concurrent.ConcurrentDictionary<int, bool>? _partitionYears;
    private readonly IClock _clock;

    private int ThisYear => _clock.GetCurrentInstant().InUtc().Year;

    /// <summary>Runs idempotent work under the retry pipeline.</summary>
    public async Task<T> IdempotentAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct) =>
        await Retry.ExecuteAsync(static async (w, c) => await w(c), work, ct);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await ListenSource.DisposeAsync();
        await CheckSource.DisposeAsync();
        if (ReadSource is not null) await ReadSource.DisposeAsync();
    }
}
