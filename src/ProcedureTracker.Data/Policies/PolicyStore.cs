using Dapper;
using NodaTime;
using Npgsql;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Data.Policies;

/// <summary>Versioned policies per organization. A version is never changed; a PUT adds the next one.</summary>
public sealed class PolicyStore(TrackerDatabase db)
{
    public const string Columns = """
        policy_code as PolicyCode, version, name, plan_year_start as PlanYearStart, always_apply as AlwaysApply,
        effective_from as EffectiveFrom, rules::text as Rules, created_at as CreatedAt, to_json(aliases)::text as Aliases
        """;

    /// <summary>
    /// Stores <paramref name="policy"/> as the next version of its code. Without an effective date, a first version
    /// governs from the beginning of time and a later one from <paramref name="today"/> (DOMAIN.md "Policy versions").
    /// </summary>
    public async Task<PolicyVersion> PutAsync(long organizationId, Policy policy, LocalDate today, Guid? actor, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var stored = await PutAsync(connection, tx, organizationId, policy, today, actor, ct);
        await tx.CommitAsync(ct);
        db.Invalidation.DropLocal($"policies:{organizationId}");
        return stored;
    }

    internal async Task<PolicyVersion> PutAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long organizationId, Policy policy,
        LocalDate today, Guid? actor, CancellationToken ct)
    {
        // The policies row serializes concurrent PUTs of one code, so version numbers never collide.
        const string sql = $"""
            insert into policies (organization_id, code) values (@organizationId, @code) on conflict do nothing;
            select 1 from policies where organization_id = @organizationId and code = @code for update;
            insert into policy_versions (organization_id, policy_code, version, name, plan_year_start, always_apply, effective_from, rules, created_by, aliases)
            select @organizationId, @code, coalesce(max(version), 0) + 1, @name, @planYearStart, @alwaysApply,
                   coalesce(@effectiveFrom::date, case when max(version) is null then null else @today::date end), @rules::jsonb, @actor, @aliases
            from policy_versions where organization_id = @organizationId and policy_code = @code
            returning {Columns};
            """;
        var args = new
        {
            organizationId, code = policy.Code, name = policy.Name, planYearStart = PolicyJson.FormatAnnualDate(policy.PlanYearStart),
            alwaysApply = policy.AlwaysApply, effectiveFrom = policy.EffectiveFrom, today, rules = PolicyJson.Serialize(policy.Rules), actor, aliases = policy.Aliases.ToArray(),
        };
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, args, tx, cancellationToken: ct));
        await grid.ReadAsync<int>();
        var row = await grid.ReadSingleAsync<PolicyRow>();
        await Audit.WriteAsync(connection, tx, organizationId, actor, "put", "policy", policy.Code, new { row.Version, effectiveFrom = row.EffectiveFrom?.ToString() }, ct);
        await Invalidation.NotifyAsync(connection, tx, $"policies:{organizationId}", ct);
        return row.ToVersion();
    }

    /// <summary>Every policy's version in force on <paramref name="asOf"/> (policies with none yet in force are left out).</summary>
    public Task<IReadOnlyList<PolicyVersion>> ListAsync(long organizationId, LocalDate asOf, CancellationToken ct = default) =>
        QueryInForceAsync(organizationId, null, asOf, ct);

    /// <summary>The version of <paramref name="code"/> in force on <paramref name="asOf"/>; null when none.</summary>
    public async Task<PolicyVersion?> GetAsync(long organizationId, string code, LocalDate asOf, CancellationToken ct = default) =>
        (await QueryInForceAsync(organizationId, code, asOf, ct)).SingleOrDefault();

    /// <summary>Every version of every policy of the organization with its number and creation time, by code then version.</summary>
    public Task<IReadOnlyList<PolicyVersion>> VersionsAsync(long organizationId, CancellationToken ct = default)
    {
        const string sql = $"select {Columns} from policy_versions where organization_id = @organizationId order by policy_code, version";
        return db.IdempotentAsync<IReadOnlyList<PolicyVersion>>(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            return (await connection.QueryAsync<PolicyRow>(new CommandDefinition(sql, new { organizationId }, cancellationToken: c))).Select(r => r.ToVersion()).ToList();
        }, ct);
    }

    /// <summary>Every version of every policy of the organization, ordered by code, effective date and version.</summary>
    /// <remarks>Cached per organization while the invalidation listener runs; a PUT on any process drops the entry.</remarks>
    public async Task<IReadOnlyList<Policy>> AllVersionsAsync(long organizationId, CancellationToken ct = default)
    {
        var cache = db.Invalidation.Cache<long, object>("policies");
        if (db.Invalidation.Listening && cache.TryGetValue(organizationId, out var cached)) return (IReadOnlyList<Policy>)cached;
        var generation = db.Invalidation.Generation;
        var versions = await ReadAllVersionsAsync(organizationId, ct);
        if (db.Invalidation.Listening && db.Invalidation.Generation == generation) cache[organizationId] = versions;
        return versions;
    }

    private Task<IReadOnlyList<Policy>> ReadAllVersionsAsync(long organizationId, CancellationToken ct)
    {
        const string sql = $"select {Columns} from policy_versions where organization_id = @organizationId order by policy_code, effective_from nulls first, version";
        return db.IdempotentAsync<IReadOnlyList<Policy>>(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            return (await connection.QueryAsync<PolicyRow>(new CommandDefinition(sql, new { organizationId }, cancellationToken: c)))
                .Select(r => r.ToVersion().Policy).ToList();
        }, ct);
    }

    /// <summary>True when the organization has a policy with this code (any version).</summary>
    public Task<bool> ExistsAsync(long organizationId, string code, CancellationToken ct = default) =>
        db.IdempotentAsync(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "select exists(select 1 from policies where organization_id = @organizationId and code = @code)", new { organizationId, code }, cancellationToken: c));
        }, ct);

    private Task<IReadOnlyList<PolicyVersion>> QueryInForceAsync(long organizationId, string? code, LocalDate asOf, CancellationToken ct)
    {
        const string sql = $"""
            select {Columns} from policy_versions_governing(@organizationId, @asOf, @asOf)
            where @code::text is null or policy_code = @code
            order by policy_code
            """;
        return db.IdempotentAsync<IReadOnlyList<PolicyVersion>>(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            var rows = await connection.QueryAsync<PolicyRow>(new CommandDefinition(sql, new { organizationId, code, asOf }, cancellationToken: c));
            return rows.Select(r => r.ToVersion()).ToList();
        }, ct);
    }
}
