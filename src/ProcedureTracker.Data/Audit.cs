using System.Text.Json;
using Dapper;
using Npgsql;

namespace ProcedureTracker.Data;

/// <summary>Appends to the audit log inside the caller's transaction: who, what, when, which record. Never request bodies.</summary>
public static class Audit
{
    /// <summary>Writes one entry.</summary>
    public static Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long organizationId, Guid? actor, string action,
        string entity, string entityId, object? detail, CancellationToken ct)
    {
        const string sql = """
            insert into audit_log (organization_id, actor_key_id, action, entity, entity_id, detail)
            values (@organizationId, @actor, @action, @entity, @entityId, @detail::jsonb)
            """;
        var json = detail is null ? null : JsonSerializer.Serialize(detail, JsonSerializerOptions.Web);
        return connection.ExecuteAsync(new CommandDefinition(sql, new { organizationId, actor, action, entity, entityId, detail = json }, tx, cancellationToken: ct));
    }
}
