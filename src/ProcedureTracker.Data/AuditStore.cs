using Dapper;
using NodaTime;

namespace ProcedureTracker.Data;

/// <summary>One audit entry as an admin reads it: the actor named (a key, a person, a CDS client, or the service itself).</summary>
public sealed class AuditEntry
{
    public long Id { get; init; }
    public Instant At { get; init; }
    public Guid? ActorId { get; init; }
    public string Actor { get; init; } = "";
    public string Action { get; init; } = "";
    public string Entity { get; init; } = "";
    public string EntityId { get; init; } = "";
    public string? Detail { get; init; }
}

/// <summary>Reads the organization's audit trail (never writes: writes are <see cref="Audit"/>'s and <see cref="ReadAudit"/>'s).</summary>
public sealed class AuditStore(TrackerDatabase db)
{
    public const int MaxLimit = 1000;

    /// <summary>The organization's entries, newest first, filtered by every part given; <paramref name="before"/> pages back.</summary>
    public Task<IReadOnlyList<AuditEntry>> FindAsync(long organizationId, string? entity, string? entityId, string? action, Guid? actor,
        Instant? from, Instant? to, long? before, int limit, CancellationToken ct) =>
        db.IdempotentAsync<IReadOnlyList<AuditEntry>>(async c =>
        {
            const string sql = """
                select a.id, a.at, a.actor_key_id as ActorId,
                       coalesce(x.actor, case when a.actor_key_id is null then 'the service itself' else 'unknown actor' end) as Actor,
                       a.action, a.entity, a.entity_id as EntityId, a.detail::text as Detail
                from audit_log a left join audit_actors x on x.id = a.actor_key_id
                where a.organization_id = @organizationId
                  and (@entity::text is null
                       or (a.entity = @entity and (@entityId::text is null or a.entity_id = @entityId))
                       -- a patient's trail includes the writes of its records
                       or (@entity = 'patient' and a.entity = 'injection' and a.entity_id in (
                           select i.id::text from injections i join patients p on p.id = i.patient_id
                           where p.organization_id = @organizationId and i.organization_id = @organizationId and p.external_id = @entityId)))
                  and (@entity::text is not null or @entityId::text is null or a.entity_id = @entityId)
                  and (@action::text is null or a.action = @action) and (@actor::uuid is null or a.actor_key_id = @actor)
                  and (@from::timestamptz is null or a.at >= @from) and (@to::timestamptz is null or a.at < @to)
                  and (@before::bigint is null or a.id < @before)
                order by a.id desc
                limit @limit
                """;
            await using var connection = await db.OpenAsync(c);
            return (await connection.QueryAsync<AuditEntry>(new CommandDefinition(sql, new
            {
                organizationId, entity, entityId, action, actor, from, to, before, limit = Math.Clamp(limit, 1, MaxLimit),
            }, cancellationToken: c))).ToList();
        }, ct);
}
