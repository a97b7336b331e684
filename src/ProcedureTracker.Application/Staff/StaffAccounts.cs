using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using NodaTime;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Domain;

namespace ProcedureTracker.Application.Staff;

/// <summary>What a sign-in attempt came to.</summary>
public abstract record SignInOutcome
{
    private SignInOutcome() { }

    /// <summary>Signed in: the person as a caller (their account id is the actor the audit trail names).</summary>
    public sealed record SignedIn(Caller Caller, string DisplayName, string Username) : SignInOutcome;

    /// <summary>Unknown name or wrong password (the two are not told apart).</summary>
    public sealed record Refused : SignInOutcome;

    /// <summary>Too many failures: locked until then.</summary>
    public sealed record LockedOut(Instant Until) : SignInOutcome;
}

/// <summary>Staff accounts for people: sign-in with lock-out, and an admin's create, list and disable.</summary>
public sealed partial class StaffAccounts(StaffStore staff, OrganizationClock clock)
{
    /// <summary>Failures in a row that lock an account.</summary>
    public const int MaxFailures = 5;

    /// <summary>How long a lock lasts.</summary>
    public static readonly Duration LockFor = Duration.FromMinutes(15);

    /// <summary>Roles a person may have (machines alone are "ehr").</summary>
    public static readonly IReadOnlyList<string> PersonRoles = [Roles.Admin, Roles.Clinician, Roles.Billing];

    public const int MinPasswordLength = 12;

    private static readonly PasswordHasher<StaffRow> Hasher = new();

    [GeneratedRegex("^[a-z0-9][a-z0-9._@-]{1,63}$")]
    private static partial Regex UsernamePattern();

    public async Task<SignInOutcome> SignInAsync(string? username, string? password, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(username) || string.IsNullOrEmpty(password) || password.Length > 1000) return new SignInOutcome.Refused();
        var account = await staff.FindByUsernameAsync(username.Trim().ToLowerInvariant(), ct);
        if (account is null || account.DisabledAt is not null)
        {
            Hasher.VerifyHashedPassword(new StaffRow(), DummyHash, password); // same work either way: no timing hint that a name exists
            return new SignInOutcome.Refused();
        }
        var now = clock.Now;
        if (account.LockedUntil is { } until && until > now) return new SignInOutcome.LockedOut(until);

        var verdict = Hasher.VerifyHashedPassword(account, account.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            var lockUntil = account.FailedAttempts + 1 >= MaxFailures ? now + LockFor : (Instant?)null;
            await staff.RecordFailureAsync(account, lockUntil, ct);
            return lockUntil is { } l ? new SignInOutcome.LockedOut(l) : new SignInOutcome.Refused();
        }
        var rehash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword(account, password) : null;
        await staff.RecordSignInAsync(account, rehash, ct);
        return new SignInOutcome.SignedIn(new Caller(account.Id, account.Organization, account.Role), account.DisplayName, account.Username);
    }

    /// <summary>The account behind a signed-in session, while it is still active (a disabled account's cookie stops working).</summary>
    public async Task<bool> IsActiveAsync(Guid id, CancellationToken ct) => await staff.FindAsync(id, ct) is { DisabledAt: null };

    /// <summary>Creates an account of the caller's organization; null with field errors when refused.</summary>
    public async Task<Guid?> CreateAsync(Caller caller, string? username, string? displayName, string? role, string? password, ValidationErrors errors,
        CancellationToken ct)
    {
        var name = username?.Trim().ToLowerInvariant();
        if (name is null || !UsernamePattern().IsMatch(name)) errors.Add("username", "Use 2-64 of a-z 0-9 . _ @ - (starting with a letter or digit).");
        if (string.IsNullOrWhiteSpace(displayName) || displayName.Trim().Length > 100) errors.Add("displayName", "A name of 1-100 characters is required.");
        if (role is null || !PersonRoles.Contains(role)) errors.Add("role", $"Use one of: {string.Join(", ", PersonRoles)}.");
        if (password is null || password.Length < MinPasswordLength || password.Length > 200)
            errors.Add("password", $"Use {MinPasswordLength} to 200 characters.");
        if (!errors.IsEmpty) return null;
        var id = Guid.CreateVersion7();
        if (!await staff.CreateAsync(caller.Organization.Id, id, name!, displayName!.Trim(), role!, Hasher.HashPassword(new StaffRow(), password!), caller.KeyId, ct))
        {
            errors.Add("username", $"The username '{name}' is taken.");
            return null;
        }
        return id;
    }

    /// <summary>Creates the bootstrap admin of an organization at start-up when that username is free.</summary>
    public async Task EnsureAdminAsync(Organization organization, string username, string password, CancellationToken ct)
    {
        if (await staff.FindByUsernameAsync(username, ct) is not null) return;
        var errors = new ValidationErrors();
        await CreateAsync(new Caller(Guid.Empty, organization, Roles.Admin), username, "Administrator", Roles.Admin, password, errors, ct);
        if (!errors.IsEmpty) throw new InvalidOperationException("Bootstrap admin account: " + string.Join(" ", errors.ToDictionary().SelectMany(e => e.Value)));
    }

    public Task<IReadOnlyList<StaffRow>> ListAsync(Caller caller, CancellationToken ct) => staff.ListAsync(caller.Organization.Id, ct);

    public Task<bool> DisableAsync(Caller caller, Guid id, CancellationToken ct) => staff.DisableAsync(caller.Organization.Id, id, caller.KeyId, ct);

    private static readonly string DummyHash = Hasher.HashPassword(new StaffRow(), "not a real password, only equal work");
}
