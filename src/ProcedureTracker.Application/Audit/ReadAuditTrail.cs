using NodaTime;
using ProcedureTracker.Data;

namespace ProcedureTracker.Application.Audit;

/// <summary>What an admin asks of the audit trail; every part optional. Newest first, <see cref="Before"/> pages back.</summary>
public sealed record AuditQuery(string? Entity, string? EntityId, string? Action, Guid? Actor, Instant? From, Instant? To, long? Before, int Limit)
{
    /// <summary>The most entries one page answers.</summary>
    public const int MaxLimit = AuditStore.MaxLimit;
}

/// <summary>The organization's audit trail as its admin reads it (the JSON door and the admin page).</summary>
public sealed class ReadAuditTrail(AuditStore audit)
{
    public Task<IReadOnlyList<AuditEntry>> RunAsync(Caller caller, AuditQuery q, CancellationToken ct) =>
        audit.FindAsync(caller.Organization.Id, q.Entity, q.EntityId, q.Action, q.Actor, q.From, q.To, q.Before, q.Limit, ct);
}
