using System.Reflection;
using Dapper;
using Npgsql;

namespace ProcedureTracker.Data.Migrations;

/// <summary>
/// Applies the embedded <c>sql/NNNN_*.sql</c> files in order, each in its own transaction, under a session advisory
/// lock so that concurrent starters never apply the same file twice; applied files are recorded in <c>schema_migrations</c>.
/// </summary>
public static class MigrationRunner
{
    private const long LockKey = 0x5054_4D49_4752; // "PTMIGR"

    /// <summary>The embedded migrations as (name, sql), in order.</summary>
    public static IReadOnlyList<(string Name, string Sql)> Migrations()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("sql/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n["sql/".Length..], Read(assembly, n)))
            .ToList();
    }

    /// <summary>Applies pending migrations; returns the names applied now.</summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: ct));
        try
        {
            const string createTable = """
                create table if not exists schema_migrations (
                    name       text        primary key,
                    applied_at timestamptz not null default now())
                """;
            await connection.ExecuteAsync(new CommandDefinition(createTable, cancellationToken: ct));
            var applied = (await connection.QueryAsync<string>(new CommandDefinition("select name from schema_migrations", cancellationToken: ct)))
                .ToHashSet(StringComparer.Ordinal);
            var now = new List<string>();
            foreach (var (name, sql) in Migrations())
            {
                if (applied.Contains(name)) continue;
                await using var tx = await connection.BeginTransactionAsync(ct);
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: tx, commandTimeout: 0, cancellationToken: ct));
                await connection.ExecuteAsync(new CommandDefinition(
                    "insert into schema_migrations (name) values (@name)", new { name }, tx, cancellationToken: ct));
                await tx.CommitAsync(ct);
                now.Add(name);
            }
            return now;
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_unlock(@LockKey)", new { LockKey }, cancellationToken: CancellationToken.None));
        }
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
