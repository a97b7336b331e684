using Dapper;
using NodaTime;

namespace ProcedureTracker.Data.Organizations;

/// <summary>A staff account as stored (with its password hash: never leaves the application layer).</summary>
public sealed class StaffRow
{
    public Guid Id { get; init; }
    public long OrganizationId { get; init; }
    public string OrganizationCode { get; init; } = "";
    public string TimeZone { get; init; } = "UTC";
    public string Username { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public string Role { get; init; } = "";
    public string PasswordHash { get; init; } = "";
    public int FailedAttempts { get; init; }
    public Instant? LockedUntil { get; init; }
    public Instant CreatedAt { get; init; }
    public Instant? DisabledAt { get; init; }
    public bool MustChangePassword { get; init; }

    public Organization Organization => new(OrganizationId, OrganizationCode, TimeZone);
}

/// <summary>Staff accounts in SQL: find, create, record sign-in outcomes, list, disable. Decisions are the use cases'.</summary>
public sealed class StaffStore(TrackerDatabase db)
{
    private const string Columns = """
        s.id, s.organization_id as OrganizationId, o.code as OrganizationCode, o.time_zone as TimeZone, s.username, s.display_name as DisplayName,
        s.role, s.password_hash as PasswordHash, s.failed_attempts as FailedAttempts, s.locked_until as LockedUntil, s.created_at as CreatedAt,
        s.disabled_at as DisabledAt, s.must_change_password as MustChangePassword
        """;

    public Task<StaffRow?> FindByUsernameAsync(string username, CancellationToken ct) =>
        db.IdempotentAsync(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            return await connection.QuerySingleOrDefaultAsync<StaffRow>(new CommandDefinition(
                $"select {Columns} from staff_accounts s join organizations o on o.id = s.organization_id where s.username = @username",
                new { username }, cancellationToken: c));
        }, ct);

    public Task<StaffRow?> FindAsync(Guid id, CancellationToken ct) =>
        db.IdempotentAsync(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            return await connection.QuerySingleOrDefaultAsync<StaffRow>(new CommandDefinition(
                $"select {Columns} from staff_accounts s join organizations o on o.id = s.organization_id where s.id = @id", new { id }, cancellationToken: c));
        }, ct);

    public Task<IReadOnlyList<StaffRow>> ListAsync(long organizationId, CancellationToken ct) =>
        db.IdempotentAsync<IReadOnlyList<StaffRow>>(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            return (await connection.QueryAsync<StaffRow>(new CommandDefinition(
                $"select {Columns} from staff_accounts s join organizations o on o.id = s.organization_id where s.organization_id = @organizationId order by s.username",
                new { organizationId }, cancellationToken: c))).ToList();
        }, ct);

    /// <summary>Creates an account; false when the username is taken.</summary>
    public async Task<bool> CreateAsync(long organizationId, Guid id, string username, string displayName, string role, string passwordHash, Guid? actor,
        CancellationToken ct)
    {
        const string sql = """
            insert into staff_accounts (id, organization_id, username, display_name, role, password_hash, created_by)
            values (@id, @organizationId, @username, @displayName, @role, @passwordHash, @actor) on conflict (username) do nothing
            """;
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var created = await connection.ExecuteAsync(new CommandDefinition(sql, new { id, organizationId, username, displayName, role, passwordHash, actor },
            tx, cancellationToken: ct)) == 1;
        if (created) await Audit.WriteAsync(connection, tx, organizationId, actor, "create", "staff-account", id.ToString(), new { role }, ct);
        await tx.CommitAsync(ct);
        return created;
    }

    /// <summary>A failed password: one more failure, and the lock when the use case sets one.</summary>
    public async Task RecordFailureAsync(StaffRow account, Instant? lockUntil, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "update staff_accounts set failed_attempts = case when @lockUntil::timestamptz is null then failed_attempts + 1 else 0 end, locked_until = coalesce(@lockUntil, locked_until) where id = @id",
            new { id = account.Id, lockUntil }, tx, cancellationToken: ct));
        await Audit.WriteAsync(connection, tx, account.OrganizationId, account.Id, lockUntil is null ? "sign-in-failed" : "locked-out", "staff-account",
            account.Id.ToString(), null, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>A successful sign-in: failures reset, audited (optionally with a new hash when the hasher asks to rehash).</summary>
    public async Task RecordSignInAsync(StaffRow account, string? newHash, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "update staff_accounts set failed_attempts = 0, locked_until = null, password_hash = coalesce(@newHash, password_hash) where id = @id",
            new { id = account.Id, newHash }, tx, cancellationToken: ct));
        await Audit.WriteAsync(connection, tx, account.OrganizationId, account.Id, "sign-in", "staff-account", account.Id.ToString(), null, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Disables an account of the organization; false when none active.</summary>
    public Task<bool> DisableAsync(long organizationId, Guid id, Guid actor, CancellationToken ct) =>
        ChangeAsync(organizationId, id, actor, "disabled_at = now()", "disabled_at is null", "disable", null, new { }, ct);

    /// <summary>Enables a disabled account again (its failures and lock cleared); false when none disabled.</summary>
    public Task<bool> EnableAsync(long organizationId, Guid id, Guid actor, CancellationToken ct) =>
        ChangeAsync(organizationId, id, actor, "disabled_at = null, failed_attempts = 0, locked_until = null", "disabled_at is not null", "enable", null,
            new { }, ct);

    /// <summary>Gives an account another role; false when no such account or it has that role already.</summary>
    public Task<bool> SetRoleAsync(long organizationId, Guid id, string role, Guid actor, CancellationToken ct) =>
        ChangeAsync(organizationId, id, actor, "role = @role", "role <> @role", "change-role", new { role }, new { role }, ct);

    /// <summary>
    /// Sets an account's password hash (a reset by an admin when <paramref name="mustChange"/>, or its owner's own change),
    /// clearing failures and lock; audited without the password. False when no such account.
    /// </summary>
    public Task<bool> SetPasswordAsync(long organizationId, Guid id, string passwordHash, bool mustChange, Guid actor, CancellationToken ct) =>
        ChangeAsync(organizationId, id, actor,
            "password_hash = @passwordHash, must_change_password = @mustChange, failed_attempts = 0, locked_until = null", "true",
            mustChange ? "reset-password" : "change-password", null, new { passwordHash, mustChange }, ct);

    private async Task<bool> ChangeAsync(long organizationId, Guid id, Guid actor, string set, string condition, string action, object? detail,
        object parameters, CancellationToken ct)
    {
        var arguments = new DynamicParameters(parameters);
        arguments.Add("organizationId", organizationId);
        arguments.Add("id", id);
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var done = await connection.ExecuteAsync(new CommandDefinition(
            $"update staff_accounts set {set} where organization_id = @organizationId and id = @id and {condition}", arguments, tx, cancellationToken: ct)) == 1;
        if (done) await Audit.WriteAsync(connection, tx, organizationId, actor, action, "staff-account", id.ToString(), detail, ct);
        await tx.CommitAsync(ct);
        return done;
    }
}
