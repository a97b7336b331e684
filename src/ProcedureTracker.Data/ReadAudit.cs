using System.Threading.Channels;
using Dapper;
using NodaTime;

namespace ProcedureTracker.Data;

/// <summary>
/// The audit of reads of health data: who read which patient's history (or exported which report), when, and through
/// which door. Reads are many (every check reads a history), so entries are queued and written in batches by the
/// service's writer (<see cref="FlushAsync"/>); a full queue makes readers wait rather than lose an entry, and the
/// writer drains the queue on shutdown.
/// </summary>
public sealed class ReadAudit(TrackerDatabase db, IClock clock)
{
    public sealed record Entry(Instant At, long OrganizationId, Guid Actor, string Action, string Entity, string EntityId, string Detail);

    private readonly Channel<Entry> _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(20_000)
    {
        FullMode = BoundedChannelFullMode.Wait, SingleReader = true,
    });

    public ChannelReader<Entry> Queue => _queue.Reader;

    /// <summary>A patient's history was read (<paramref name="purpose"/>: history, eligibility, ...).</summary>
    public ValueTask PatientAsync(long organizationId, Guid actor, string door, string patientId, string purpose, CancellationToken ct) =>
        EnqueueAsync(organizationId, actor, "read", "patient", patientId, new { door, purpose }, ct);

    /// <summary>A report over many patients was read or exported, with its parameters.</summary>
    public ValueTask ReportAsync(long organizationId, Guid actor, string door, string report, object parameters, CancellationToken ct) =>
        EnqueueAsync(organizationId, actor, "export", "report", report, new { door, parameters }, ct);

    /// <summary>A caller was refused an endpoint its role does not open (a 403): which endpoint (its route, not its values).</summary>
    public ValueTask DeniedAsync(long organizationId, Guid actor, string door, string role, string method, string route, CancellationToken ct) =>
        EnqueueAsync(organizationId, actor, "forbidden", "endpoint", $"{method} {route}", new { door, role }, ct);

    private ValueTask EnqueueAsync(long organizationId, Guid actor, string action, string entity, string entityId, object detail, CancellationToken ct) =>
        _queue.Writer.WriteAsync(new Entry(clock.GetCurrentInstant(), organizationId, actor, action, entity, entityId,
            Audit.Json(detail)!), ct);

    /// <summary>Stops taking entries (the writer then drains what is queued).</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>Writes a batch with one statement.</summary>
    public async Task FlushAsync(IReadOnlyList<Entry> batch, CancellationToken ct)
    {
        const string sql = """
            insert into audit_log (at, organization_id, actor_key_id, action, entity, entity_id, detail)
            select at, org, actor, action, entity, entity_id, detail::jsonb
            from unnest(@at, @org, @actor, @action, @entity, @entityId, @detail) as e(at, org, actor, action, entity, entity_id, detail)
            """;
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            at = batch.Select(e => e.At.ToDateTimeUtc()).ToArray(), org = batch.Select(e => e.OrganizationId).ToArray(),
            actor = batch.Select(e => e.Actor).ToArray(), action = batch.Select(e => e.Action).ToArray(), entity = batch.Select(e => e.Entity).ToArray(),
            entityId = batch.Select(e => e.EntityId).ToArray(), detail = batch.Select(e => e.Detail).ToArray(),
        }, cancellationToken: ct));
    }
}
