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
    public Guid SessionStamp { get; init; }

    public Organization Organization => new(OrganizationId, OrganizationCode, TimeZone);
}

/// <summary>
/// Staff accounts in SQL: find, create, count and record sign-in attempts, list, disable. Every change of an account
/// (disable, role, password, sign-out) renews its session stamp, which ends its sessions. Decisions are the use cases'.
/// </summary>
public sealed class StaffStore(TrackerDatabase db)
{
    private const string Columns = """
        s.id, s.organization_id as OrganizationId, o.code as OrganizationCode, o.time_zone as TimeZone, s.username, s.display_name as DisplayName,
        s.role, s.password_hash as PasswordHash, s.failed_attempts as FailedAttempts, s.locked_until as LockedUntil, s.created_at as CreatedAt,
        s.disabled_at as DisabledAt, s.must_change_password as MustChangePassword, s.session_stamp as SessionStamp
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
        // The bootstrap admin is made by the service itself at start-up: no actor (never an id nobody has).
        if (actor == Guid.Empty) actor = null;
        var created = await connection.ExecuteAsync(new CommandDefinition(sql, new { id, organizationId, username, displayName, role, passwordHash, actor },
            tx, cancellationToken: ct)) == 1;
        if (created) await Audit.WriteAsync(connection, tx, organizationId, actor, "create", "staff-account", id.ToString(), new { role }, ct);
        await tx.CommitAsync(ct);
        return created;
    }

    /// <summary>
    /// A sign-in attempt counted before its password is verified, in one statement that increments and returns (so no
    /// number of parallel attempts can verify more passwords than the lock allows): an active lock is kept as it is; an
    /// expired one starts a new count at 1; a count passing <paramref name="maxFailures"/> locks the account until
    /// <paramref name="now"/> + <paramref name="lockFor"/>. Null when no active account has that username.
    /// </summary>
    public Task<StaffRow?> CountAttemptAsync(string username, Instant now, int maxFailures, Duration lockFor, CancellationToken ct) =>
        db.IdempotentAsync(async c =>
        {
            // Not idempotent in the strict sense, but a retried count only errs towards locking.
            await using var connection = await db.OpenAsync(c);
            return await connection.QuerySingleOrDefaultAsync<StaffRow>(new CommandDefinition($"""
                update staff_accounts s set
                    failed_attempts = case when s.locked_until > @now then s.failed_attempts
                                           when s.locked_until is not null then 1
                                           else s.failed_attempts + 1 end,
                    locked_until = case when s.locked_until > @now then s.locked_until
                                        when s.locked_until is null and s.failed_attempts + 1 > @maxFailures then @lockedUntil
                                        else null end
                from organizations o
                where o.id = s.organization_id and s.username = @username and s.disabled_at is null
                returning {Columns}
                """, new { username, now, maxFailures, lockedUntil = now + lockFor }, cancellationToken: c));
        }, ct);

    /// <summary>A wrong password (already counted): audited, and the account locked when the use case says so.</summary>
    public async Task RecordFailureAsync(StaffRow account, Instant? lockUntil, string? address, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (lockUntil is not null)
            await connection.ExecuteAsync(new CommandDefinition(
                "update staff_accounts set locked_until = coalesce(locked_until, @lockUntil) where id = @id", new { id = account.Id, lockUntil }, tx, cancellationToken: ct));
        await Audit.WriteAsync(connection, tx, account.OrganizationId, account.Id, lockUntil is null ? "sign-in-failed" : "locked-out", "staff-account",
            account.Id.ToString(), new { address }, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>An attempt refused without checking a password (locked, disabled, unknown username): audited.</summary>
    /// <param name="account">The account, or null when the username is nobody's (the typed name is not stored).</param>
    public async Task RecordRefusedAsync(StaffRow? account, string reason, string? address, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await Audit.WriteAsync(connection, tx, account?.OrganizationId, account?.Id, "sign-in-refused", "staff-account", account?.Id.ToString() ?? "unknown",
            new { reason, address }, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>A successful sign-in: failures reset, audited (optionally with a new hash when the hasher asks to rehash).</summary>
    public async Task RecordSignInAsync(StaffRow account, string? newHash, string? address, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "update staff_accounts set failed_attempts = 0, locked_until = null, password_hash = coalesce(@newHash, password_hash) where id = @id",
            new { id = account.Id, newHash }, tx, cancellationToken: ct));
        await Audit.WriteAsync(connection, tx, account.OrganizationId, account.Id, "sign-in", "staff-account", account.Id.ToString(), new { address }, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Signing out ends every session of the account (a copied cookie included): a new stamp, audited.</summary>
    public Task<bool> EndSessionsAsync(long organizationId, Guid id, CancellationToken ct) =>
        ChangeAsync(organizationId, id, id, "failed_attempts = failed_attempts", "true", "sign-out", null, new { }, ct);

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
            $"update staff_accounts set {set}, session_stamp = gen_random_uuid() where organization_id = @organizationId and id = @id and {condition}",
            arguments, tx, cancellationToken: ct)) == 1;
        if (done) await Audit.WriteAsync(connection, tx, organizationId, actor, action, "staff-account", id.ToString(), detail, ct);
        await tx.CommitAsync(ct);
        return done;
    }
}
