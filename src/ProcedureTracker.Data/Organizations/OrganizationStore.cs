using NodaTime;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Data.Organizations;

/// <summary>Organizations and their API keys. Keys are random, shown once, stored only as SHA-256 hashes.</summary>
public sealed class OrganizationStore(TrackerDatabase db, PolicyStore policies, IClock clock)
{

    /// <summary>Finds or creates the organization; a new one gets the default policies.</summary>
    public async Task<Organization> EnsureAsync(string code, string name, string timeZone, CancellationToken ct = default)
    {
        const string insert = """
            insert into organizations (code, name, time_zone) values (@code, @name, @timeZone)
            on conflict (code) do nothing
            returning id, code, time_zone as TimeZone
            """;
        const string select = "select id, code, time_zone as TimeZone from organizations where code = @code";
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var created = await connection.QuerySingleOrDefaultAsync<Organization>(new CommandDefinition(insert, new { code, name, timeZone }, tx, cancellationToken: ct));
        if (created is not null)
        {
            // Each default is a first version without a date, so it governs from the beginning of time; today only
            // matters to later versions.
            var today = clock.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb[timeZone]).Date;
            foreach (var policy in DefaultPolicies.All)
                await policies.PutAsync(connection, tx, created.Id, policy, today, null, ct);
        }
        var organization = created ?? await connection.QuerySingleAsync<Organization>(new CommandDefinition(select, new { code }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return organization;
    }

    /// <summary>True when an organization with this code exists.</summary>
    public Task<bool> ExistsAsync(string code, CancellationToken ct = default) =>
        db.IdempotentAsync(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            return await connection.ExecuteScalarAsync<bool>(new CommandDefinition("select exists(select 1 from organizations where code = @code)", new { code }, cancellationToken: c));
        }, ct);

    /// <summary>The organization's settings as shown to its admin.</summary>
    public Task<OrganizationSettings> GetSettingsAsync(long id, CancellationToken ct = default) =>
        db.IdempotentAsync(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            return await connection.QuerySingleAsync<OrganizationSettings>(new CommandDefinition(
                "select code, name, time_zone as TimeZone, created_at as CreatedAt from organizations where id = @id", new { id }, cancellationToken: c));
        }, ct);

    /// <summary>
    /// Changes the name and time zone, audited. Cached callers (API keys) carry the zone, so every process drops them:
    /// later FHIR instants map to dates in the new zone; stored dates never change.
    /// </summary>
    public async Task<OrganizationSettings> UpdateSettingsAsync(long id, string name, string timeZone, Guid actor, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var before = await connection.QuerySingleAsync<(string Name, string TimeZone)>(new CommandDefinition(
            "select name, time_zone from organizations where id = @id for update", new { id }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition("update organizations set name = @name, time_zone = @timeZone where id = @id",
            new { id, name, timeZone }, tx, cancellationToken: ct));
        await Audit.WriteAsync(connection, tx, id, actor, "update", "organization", id.ToString(),
            new { before = new { before.Name, before.TimeZone }, after = new { name, timeZone } }, ct);
        await Invalidation.NotifyAsync(connection, tx, "keys", ct);
        await tx.CommitAsync(ct);
        db.Invalidation.DropLocal("keys");
        return await GetSettingsAsync(id, ct);
    }

    /// <summary>The organization with this code; null when none.</summary>
    public Task<Organization?> FindAsync(string code, CancellationToken ct = default) =>
        db.IdempotentAsync(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            return await connection.QuerySingleOrDefaultAsync<Organization>(new CommandDefinition(
                "select id, code, time_zone as TimeZone from organizations where code = @code", new { code }, cancellationToken: c));
        }, ct);

    /// <summary>Makes sure a configured CDS client (a JWT issuer) is known by its actor id, so audit rows name it.</summary>
    public async Task EnsureCdsClientAsync(Guid id, string issuer, long? organizationId, CancellationToken ct = default)
    {
        const string sql = """
            insert into cds_clients (id, issuer, organization_id) values (@id, @issuer, @organizationId)
            on conflict (issuer) do update set organization_id = excluded.organization_id
            """;
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { id, issuer, organizationId }, cancellationToken: ct));
    }

    /// <summary>Records a CDS Hooks JWT id; false when the issuer used it before (a replay).</summary>
    public async Task<bool> TryUseJwtIdAsync(string issuer, string jti, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        // Ids past their token's expiry (plus the verifier's skew) cannot be replayed anyway: purged as new ones arrive.
        const string sql = """
            with purged as (delete from cds_jwt_ids where expires_at < now() - interval '2 minutes')
            insert into cds_jwt_ids (issuer, jti, expires_at) values (@issuer, @jti, @expiresAt) on conflict do nothing
            """;
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(sql, new { issuer, jti, expiresAt = expiresAt.UtcDateTime }, cancellationToken: ct)) == 1;
    }

    /// <summary>Creates a key; returns its id and the secret (shown once).</summary>
    public async Task<(Guid Id, string Key)> CreateKeyAsync(long organizationId, string name, string role, Guid? actor, CancellationToken ct = default)
    {
        var key = "pt_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        var id = Guid.CreateVersion7();
        await InsertKeyAsync(organizationId, id, name, role, key, actor, ct);
        return (id, key);
    }

    /// <summary>Makes sure <paramref name="key"/> is an active key of the organization (bootstrap); no-op when it is.</summary>
    public async Task EnsureKeyAsync(long organizationId, string name, string role, string key, CancellationToken ct = default)
    {
        const string sql = "select exists(select 1 from api_keys where key_hash = @hash)";
        await using var connection = await db.OpenAsync(ct);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(sql, new { hash = Hash(key) }, cancellationToken: ct)))
            await InsertKeyAsync(organizationId, Guid.CreateVersion7(), name, role, key, null, ct);
    }

    /// <summary>The key, organization and role a secret belongs to; null when unknown or revoked.</summary>
    public async Task<ApiKeyMatch?> AuthenticateAsync(string key, CancellationToken ct = default)
    {
        const string sql = """
            select k.id as KeyId, k.role, o.id, o.code, o.time_zone as TimeZone
            from api_keys k join organizations o on o.id = k.organization_id
            where k.key_hash = @hash and k.revoked_at is null
            """;
        var hash = Hash(key);
        var cacheKey = Convert.ToHexString(hash);
        var cache = db.Invalidation.Cache<string, ApiKeyMatch>("keys");
        if (db.Invalidation.Listening && cache.TryGetValue(cacheKey, out var cached)) return cached;
        var generation = db.Invalidation.Generation;
        async Task<ApiKeyMatch?> LookUp(Func<CancellationToken, ValueTask<Npgsql.NpgsqlConnection>> open, CancellationToken c)
        {
            await using var connection = await open(c);
            var row = await connection.QuerySingleOrDefaultAsync<(Guid KeyId, string Role, long Id, string Code, string TimeZone)?>(
                new CommandDefinition(sql, new { hash }, cancellationToken: c));
            return row is { } r ? new ApiKeyMatch(r.KeyId, new Organization(r.Id, r.Code, r.TimeZone), r.Role) : null;
        }
        ApiKeyMatch? caller;
        try { caller = await db.IdempotentAsync(c => LookUp(db.OpenAsync, c), ct); }
        catch (Npgsql.NpgsqlException) when (db.ReadSource is not null && !ct.IsCancellationRequested)
        {
            // The primary is unreachable (failover under way): keys and revocations committed there are on the synchronous
            // standby, so reads that may lag (reports, searches) keep being served; writes answer 503 meanwhile.
            return await LookUp(db.OpenForLaggingReadAsync, ct);
        }
        // Only known keys are kept (unknown ones would let anyone fill memory); a revoke drops them all at once.
        if (caller is not null && db.Invalidation.Listening && db.Invalidation.Generation == generation && cache.Count < 100_000) cache[cacheKey] = caller;
        return caller;
    }

    /// <summary>The organization's keys, without secrets, newest first.</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListKeysAsync(long organizationId, CancellationToken ct = default)
    {
        const string sql = """
            select id, name, role, created_at as CreatedAt, revoked_at as RevokedAt, key_prefix as Prefix
            from api_keys where organization_id = @organizationId order by created_at desc, id
            """;
        return await db.IdempotentAsync(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            return (IReadOnlyList<ApiKeyInfo>)(await connection.QueryAsync<ApiKeyInfo>(new CommandDefinition(sql, new { organizationId }, cancellationToken: c))).ToList();
        }, ct);
    }

    /// <summary>Revokes a key of the organization at once; false when no such active key.</summary>
    public async Task<bool> RevokeKeyAsync(long organizationId, Guid id, Guid actor, CancellationToken ct = default)
    {
        const string sql = "update api_keys set revoked_at = now() where organization_id = @organizationId and id = @id and revoked_at is null";
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var revoked = await connection.ExecuteAsync(new CommandDefinition(sql, new { organizationId, id }, tx, cancellationToken: ct)) == 1;
        if (revoked)
        {
            await Audit.WriteAsync(connection, tx, organizationId, actor, "revoke", "api-key", id.ToString(), null, ct);
            await Invalidation.NotifyAsync(connection, tx, "keys", ct);
        }
        await tx.CommitAsync(ct);
        if (revoked) db.Invalidation.DropLocal("keys");
        return revoked;
    }

    private async Task InsertKeyAsync(long organizationId, Guid id, string name, string role, string key, Guid? actor, CancellationToken ct)
    {
        const string sql = """
            insert into api_keys (id, organization_id, name, role, key_hash, key_prefix) values (@id, @organizationId, @name, @role, @hash, @prefix)
            """;
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { id, organizationId, name, role, hash = Hash(key), prefix = Prefix(key) }, tx, cancellationToken: ct));
        await Audit.WriteAsync(connection, tx, organizationId, actor, "create", "api-key", id.ToString(), new { role }, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The key's first characters, shown to tell keys apart ("pt_" and 8 of its 43 random ones: never enough to use it).</summary>
    public static string Prefix(string key) => key[..Math.Min(11, key.Length)];

    /// <summary>SHA-256 of the key. Keys carry 256 random bits, so a fast hash is enough (no password stretching needed).</summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
