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
    public sealed record SignedIn(Caller Caller, string DisplayName, string Username, bool MustChangePassword = false) : SignInOutcome;

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
        return new SignInOutcome.SignedIn(new Caller(account.Id, account.Organization, account.Role), account.DisplayName, account.Username,
            account.MustChangePassword);
    }

    /// <summary>
    /// True while the account behind a signed-in session is active and still has the role the session carries (a
    /// disabled account's cookie, or one whose role changed, stops working at its next request).
    /// </summary>
    public async Task<bool> IsActiveAsync(Guid id, string? role, CancellationToken ct) => await staff.FindAsync(id, ct) is { DisabledAt: null } a && a.Role == role;

    /// <summary>Creates an account of the caller's organization; null with field errors when refused.</summary>
    public async Task<Guid?> CreateAsync(Caller caller, string? username, string? displayName, string? role, string? password, ValidationErrors errors,
        CancellationToken ct)
    {
        var name = username?.Trim().ToLowerInvariant();
        if (name is null || !UsernamePattern().IsMatch(name)) errors.Add("username", "Use 2-64 of a-z 0-9 . _ @ - (starting with a letter or digit).");
        if (string.IsNullOrWhiteSpace(displayName) || displayName.Trim().Length > 100) errors.Add("displayName", "A name of 1-100 characters is required.");
        if (role is null || !PersonRoles.Contains(role)) errors.Add("role", $"Use one of: {string.Join(", ", PersonRoles)}.");
        Password(password, "password", errors);
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

    /// <summary>Disables an account (never one's own: an organization keeps an admin who can sign in); false when none active.</summary>
    public Task<bool> DisableAsync(Caller caller, Guid id, CancellationToken ct) =>
        id == caller.KeyId ? Task.FromResult(false) : staff.DisableAsync(caller.Organization.Id, id, caller.KeyId, ct);

    /// <summary>Enables a disabled account again; false when none disabled.</summary>
    public Task<bool> EnableAsync(Caller caller, Guid id, CancellationToken ct) => staff.EnableAsync(caller.Organization.Id, id, caller.KeyId, ct);

    /// <summary>Another role for an account (never one's own); false with a field error when refused.</summary>
    public async Task<bool> SetRoleAsync(Caller caller, Guid id, string? role, ValidationErrors errors, CancellationToken ct)
    {
        if (role is null || !PersonRoles.Contains(role)) errors.Add("role", $"Use one of: {string.Join(", ", PersonRoles)}.");
        else if (id == caller.KeyId) errors.Add("role", "You cannot change your own role; another admin can.");
        if (!errors.IsEmpty) return false;
        if (await staff.SetRoleAsync(caller.Organization.Id, id, role!, caller.KeyId, ct)) return true;
        errors.Add("role", "The account has that role already.");
        return false;
    }

    /// <summary>An admin sets a password for someone; its owner must change it at the next sign-in.</summary>
    public async Task<bool> ResetPasswordAsync(Caller caller, Guid id, string? password, ValidationErrors errors, CancellationToken ct)
    {
        if (!Password(password, "password", errors)) return false;
        if (await staff.SetPasswordAsync(caller.Organization.Id, id, Hasher.HashPassword(new StaffRow(), password!), mustChange: id != caller.KeyId,
                caller.KeyId, ct)) return true;
        errors.Add("account", "No such account.");
        return false;
    }

    /// <summary>A person changes their own password (the current one verified; the new one must differ).</summary>
    public async Task<bool> ChangeOwnPasswordAsync(Caller caller, string? current, string? password, string? repeated, ValidationErrors errors,
        CancellationToken ct)
    {
        var account = await staff.FindAsync(caller.KeyId, ct);
        if (account is null || account.DisabledAt is not null) { errors.Add("current", "No active account."); return false; }
        if (string.IsNullOrEmpty(current) || current.Length > 1000 ||
            Hasher.VerifyHashedPassword(account, account.PasswordHash, current) == PasswordVerificationResult.Failed)
            errors.Add("current", "That is not your current password.");
        if (Password(password, "password", errors) && password == current) errors.Add("password", "Choose a password other than the current one.");
        if (password != repeated) errors.Add("repeated", "The two new passwords differ.");
        if (!errors.IsEmpty) return false;
        return await staff.SetPasswordAsync(caller.Organization.Id, caller.KeyId, Hasher.HashPassword(account, password!), mustChange: false, caller.KeyId, ct);
    }

    private static bool Password(string? password, string field, ValidationErrors errors)
    {
        if (password is not null && password.Length >= MinPasswordLength && password.Length <= 200 && InputText.IsClean(password)) return true;
        errors.Add(field, $"Use {MinPasswordLength} to 200 characters.");
        return false;
    }

    private static readonly string DummyHash = Hasher.HashPassword(new StaffRow(), "not a real password, only equal work");
}
