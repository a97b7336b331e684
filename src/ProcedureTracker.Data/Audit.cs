using System.Text.Json;
using Dapper;
using Npgsql;

namespace ProcedureTracker.Data;

/// <summary>Appends to the audit log inside the caller's transaction: who, what, when, which record. Never request bodies.</summary>
public static class Audit
{
    /// <summary>Writes several entries in one transaction of their own.</summary>
    public static async Task WriteManyAsync(TrackerDatabase db, long organizationId, Guid? actor,
        IReadOnlyList<(string Action, string Entity, string EntityId, object? Detail)> entries, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        foreach (var e in entries) await WriteAsync(connection, tx, organizationId, actor, e.Action, e.Entity, e.EntityId, e.Detail, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>An entry's detail as stored (jsonb text), or null.</summary>
    public static string? Json(object? detail) => detail is null ? null : JsonSerializer.Serialize(detail, JsonSerializerOptions.Web);

    /// <summary>Writes one entry.</summary>
    public static Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long? organizationId, Guid? actor, string action,
        string entity, string entityId, object? detail, CancellationToken ct)
    {
        const string sql = """
            insert into audit_log (organization_id, actor_key_id, action, entity, entity_id, detail)
            values (@organizationId, @actor, @action, @entity, @entityId, @detail::jsonb)
            """;
        var json = Json(detail);
        return connection.ExecuteAsync(new CommandDefinition(sql, new { organizationId, actor, action, entity, entityId, detail = json }, tx, cancellationToken: ct));
    }
}
