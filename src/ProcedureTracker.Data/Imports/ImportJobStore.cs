using Dapper;
using Npgsql;

namespace ProcedureTracker.Data.Imports;

/// <summary>An import job as stored (the file itself is read only by the worker that runs it).</summary>
public class ImportJobRow
{
    public Guid Id { get; init; }
    public long OrganizationId { get; init; }
    public Guid Actor { get; init; }
    public string ActorKind { get; init; } = "key";
    public string Role { get; init; } = "";
    public string Door { get; init; } = "";
    public string FileName { get; init; } = "";
    public string State { get; init; } = "";
    public int RowsHandled { get; init; }
    public string? Result { get; init; }
    public string? Error { get; init; }
    public int Attempts { get; init; }
    public DateTime CreatedAt { get; init; }

    /// <summary>Set by <see cref="ImportJobStore.ClaimAsync"/>: the organization the worker runs the job for.</summary>
    public string OrganizationCode { get; init; } = "";
    public string TimeZone { get; init; } = "UTC";

    public Organizations.Organization Organization => new(OrganizationId, OrganizationCode, TimeZone);
}

/// <summary>Import jobs in SQL: queue one (one active per organization), claim the next, report progress, finish.</summary>
public sealed class ImportJobStore(TrackerDatabase db)
{
    private const string Columns = """
        id, organization_id as OrganizationId, actor, actor_kind as ActorKind, role, door, file_name as FileName, state, rows_handled as RowsHandled,
        result::text as Result, error, attempts, created_at as CreatedAt
        """;

    /// <summary>Queues a job; null with the organization's active job when one is queued or running.</summary>
    public async Task<(ImportJobRow? Queued, ImportJobRow? Active)> QueueAsync(Guid id, long organizationId, Guid actor, string actorKind, string role, string door,
        string fileName, byte[] file, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var queued = await connection.QuerySingleOrDefaultAsync<ImportJobRow>(new CommandDefinition($"""
            insert into import_jobs (id, organization_id, actor, actor_kind, role, door, file_name, file, state)
            values (@id, @organizationId, @actor, @actorKind, @role, @door, @fileName, @file, 'queued')
            on conflict (organization_id) where state in ('queued', 'running') do nothing
            returning {Columns}
            """, new { id, organizationId, actor, actorKind, role, door, fileName, file }, cancellationToken: ct));
        if (queued is not null) return (queued, null);
        return (null, await ActiveAsync(organizationId, ct));
    }

    /// <summary>The organization's queued or running job, if any.</summary>
    public async Task<ImportJobRow?> ActiveAsync(long organizationId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ImportJobRow>(new CommandDefinition(
            $"select {Columns} from import_jobs where organization_id = @organizationId and state in ('queued', 'running')", new { organizationId }, cancellationToken: ct));
    }

    /// <summary>A job of the organization (any state); null when none.</summary>
    public Task<ImportJobRow?> FindAsync(long organizationId, Guid id, CancellationToken ct) =>
        db.IdempotentAsync(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            return await connection.QuerySingleOrDefaultAsync<ImportJobRow>(new CommandDefinition(
                $"select {Columns} from import_jobs where organization_id = @organizationId and id = @id", new { organizationId, id }, cancellationToken: c));
        }, ct);

    /// <summary>
    /// Claims the oldest job that is queued, or running with a heartbeat older than <paramref name="stale"/> (its process
    /// died), with its file; null when there is none. Two workers never claim the same job (skip locked).
    /// </summary>
    public async Task<(ImportJobRow Job, byte[] File)?> ClaimAsync(TimeSpan stale, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var claimed = await connection.QuerySingleOrDefaultAsync<ClaimedRow>(new CommandDefinition("""
            with claimed as (
                update import_jobs set state = 'running', heartbeat_at = now(), attempts = attempts + 1
                where id = (select id from import_jobs
                            where state = 'queued' or (state = 'running' and heartbeat_at < now() - @stale)
                            order by created_at for update skip locked limit 1)
                returning *)
            select c.id, c.organization_id as OrganizationId, c.actor, c.actor_kind as ActorKind, c.role, c.door, c.file_name as FileName, c.state, c.rows_handled as RowsHandled,
                   c.result::text as Result, c.error, c.attempts, c.created_at as CreatedAt, c.file, o.code as OrganizationCode, o.time_zone as TimeZone
            from claimed c join organizations o on o.id = c.organization_id
            """, new { stale }, cancellationToken: ct));
        return claimed is null ? null : (claimed, claimed.File ?? []);
    }

    /// <summary>A claimed job with the file it imports.</summary>
    private sealed class ClaimedRow : ImportJobRow
    {
        public byte[]? File { get; init; }
    }

    /// <summary>Progress, and the heartbeat that says the job's process is alive.</summary>
    public async Task ProgressAsync(Guid id, int rowsHandled, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("update import_jobs set rows_handled = @rowsHandled, heartbeat_at = now() where id = @id and state = 'running'",
            new { id, rowsHandled }, cancellationToken: ct));
    }

    /// <summary>Puts a claimed job back in the queue (its organization's lock was taken by an import sent directly).</summary>
    public async Task RequeueAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("update import_jobs set state = 'queued', attempts = attempts - 1 where id = @id and state = 'running'",
            new { id }, cancellationToken: ct));
    }

    /// <summary>Ends a job: done with its result, refused or failed with the reason; the file is dropped.</summary>
    public async Task FinishAsync(Guid id, string state, string? resultJson, string? error, int rowsHandled, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            update import_jobs set state = @state, result = @resultJson::jsonb, error = @error, rows_handled = @rowsHandled, file = null, finished_at = now()
            where id = @id
            """, new { id, state, resultJson, error, rowsHandled }, cancellationToken: ct));
    }
}
