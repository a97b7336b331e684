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
    public sealed record SignedIn(Caller Caller, string DisplayName, string Username, Guid SessionStamp, bool MustChangePassword = false) : SignInOutcome;

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

    /// <summary>NIST SP 800-63B-4: at least 15 characters for a password that is the only factor.</summary>
    public const int MinPasswordLength = 15;

    /// <summary>
    /// PBKDF2-HMAC-SHA512 (ASP.NET Core Identity's V3 format) at OWASP's figure for it (Password Storage Cheat Sheet:
    /// 210,000 iterations); hashes made with fewer are rehashed at the next sign-in.
    /// </summary>
    public const int Pbkdf2Iterations = 210_000;

    private static readonly PasswordHasher<StaffRow> Hasher = new(Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = Pbkdf2Iterations }));

    [GeneratedRegex("^[a-z0-9][a-z0-9._@-]{1,63}$")]
    private static partial Regex UsernamePattern();

    /// <summary>
    /// Signs a person in. The attempt is counted before the password is verified (one atomic statement), so however many
    /// arrive at once, no more than <see cref="MaxFailures"/> passwords are tried before the lock holds; every attempt is
    /// audited, with the client's address (an unknown username without the typed name).
    /// </summary>
    public async Task<SignInOutcome> SignInAsync(string? username, string? password, string? address, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(username) || string.IsNullOrEmpty(password) || password.Length > 1000 || username.Length > 200)
            return new SignInOutcome.Refused();
        var now = clock.Now;
        var account = await staff.CountAttemptAsync(username.Trim().ToLowerInvariant(), now, MaxFailures, LockFor, ct);
        if (account is null)
        {
            Hasher.VerifyHashedPassword(new StaffRow(), DummyHash, password); // same work either way: no timing hint that a name exists
            await staff.RecordRefusedAsync(null, "unknown or disabled account", address, ct);
            return new SignInOutcome.Refused();
        }
        if (account.LockedUntil is { } until && until > now)
        {
            await staff.RecordRefusedAsync(account, "locked", address, ct);
            return new SignInOutcome.LockedOut(until);
        }

        var verdict = Hasher.VerifyHashedPassword(account, account.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            var lockUntil = account.FailedAttempts >= MaxFailures ? now + LockFor : (Instant?)null;
            await staff.RecordFailureAsync(account, lockUntil, address, ct);
            return lockUntil is { } l ? new SignInOutcome.LockedOut(l) : new SignInOutcome.Refused();
        }
        var rehash = verdict == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword(account, password) : null;
        await staff.RecordSignInAsync(account, rehash, address, ct);
        return new SignInOutcome.SignedIn(new Caller(new Actor.Person(account.Id), account.Organization, account.Role), account.DisplayName, account.Username,
            account.SessionStamp, account.MustChangePassword);
    }

    /// <summary>
    /// True while the account behind a signed-in session is active, still has the role the session carries, and has
    /// not ended its sessions since (sign-out, a password or role change, a disable all renew the stamp).
    /// </summary>
    public async Task<bool> IsActiveAsync(Guid id, string? role, Guid stamp, CancellationToken ct) =>
        await staff.FindAsync(id, ct) is { DisabledAt: null } a && a.Role == role && a.SessionStamp == stamp;

    /// <summary>Signs a person out: every session of the account ends (a copied cookie too).</summary>
    public Task SignOutAsync(Caller caller, CancellationToken ct) => staff.EndSessionsAsync(caller.Organization.Id, caller.ActorId, ct);

    /// <summary>Creates an account of the caller's organization; null with field errors when refused.</summary>
    public async Task<Guid?> CreateAsync(Caller caller, string? username, string? displayName, string? role, string? password, ValidationErrors errors,
        CancellationToken ct)
    {
        var name = username?.Trim().ToLowerInvariant();
        if (name is null || !UsernamePattern().IsMatch(name)) errors.Add("username", "Use 2-64 of a-z 0-9 . _ @ - (starting with a letter or digit).");
        if (string.IsNullOrWhiteSpace(displayName) || displayName.Trim().Length > 100) errors.Add("displayName", "A name of 1-100 characters is required.");
        if (role is null || !PersonRoles.Contains(role)) errors.Add("role", $"Use one of: {string.Join(", ", PersonRoles)}.");
        Password(password, "password", errors, name, displayName);
        if (!errors.IsEmpty) return null;
        var id = Guid.CreateVersion7();
        if (!await staff.CreateAsync(caller.Organization.Id, id, name!, displayName!.Trim(), role!, Hasher.HashPassword(new StaffRow(), password!), caller.ActorId, ct))
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
        await CreateAsync(new Caller(new Actor.Service(), organization, Roles.Admin), username, "Administrator", Roles.Admin, password, errors, ct);
        if (!errors.IsEmpty) throw new InvalidOperationException("Bootstrap admin account: " + string.Join(" ", errors.ToDictionary().SelectMany(e => e.Value)));
    }

    public Task<IReadOnlyList<StaffRow>> ListAsync(Caller caller, CancellationToken ct) => staff.ListAsync(caller.Organization.Id, ct);

    /// <summary>Disables an account (never one's own: an organization keeps an admin who can sign in); false when none active.</summary>
    public Task<bool> DisableAsync(Caller caller, Guid id, CancellationToken ct) =>
        id == caller.ActorId ? Task.FromResult(false) : staff.DisableAsync(caller.Organization.Id, id, caller.ActorId, ct);

    /// <summary>Enables a disabled account again; false when none disabled.</summary>
    public Task<bool> EnableAsync(Caller caller, Guid id, CancellationToken ct) => staff.EnableAsync(caller.Organization.Id, id, caller.ActorId, ct);

    /// <summary>Another role for an account (never one's own); false with a field error when refused.</summary>
    public async Task<bool> SetRoleAsync(Caller caller, Guid id, string? role, ValidationErrors errors, CancellationToken ct)
    {
        if (role is null || !PersonRoles.Contains(role)) errors.Add("role", $"Use one of: {string.Join(", ", PersonRoles)}.");
        else if (id == caller.ActorId) errors.Add("role", "You cannot change your own role; another admin can.");
        if (!errors.IsEmpty) return false;
        if (await staff.SetRoleAsync(caller.Organization.Id, id, role!, caller.ActorId, ct)) return true;
        errors.Add("role", "The account has that role already.");
        return false;
    }

    /// <summary>An admin sets a password for someone; its owner must change it at the next sign-in.</summary>
    public async Task<bool> ResetPasswordAsync(Caller caller, Guid id, string? password, ValidationErrors errors, CancellationToken ct)
    {
        if (!Password(password, "password", errors)) return false;
        if (await staff.SetPasswordAsync(caller.Organization.Id, id, Hasher.HashPassword(new StaffRow(), password!), mustChange: id != caller.ActorId,
                caller.ActorId, ct)) return true;
        errors.Add("account", "No such account.");
        return false;
    }

    /// <summary>A person changes their own password (the current one verified; the new one must differ).</summary>
    /// <returns>The account's new session stamp (its other sessions end), or null with field errors.</returns>
    public async Task<Guid?> ChangeOwnPasswordAsync(Caller caller, string? current, string? password, string? repeated, ValidationErrors errors,
        CancellationToken ct)
    {
        var account = await staff.FindAsync(caller.ActorId, ct);
        if (account is null || account.DisabledAt is not null) { errors.Add("current", "No active account."); return null; }
        if (string.IsNullOrEmpty(current) || current.Length > 1000 ||
            Hasher.VerifyHashedPassword(account, account.PasswordHash, current) == PasswordVerificationResult.Failed)
            errors.Add("current", "That is not your current password.");
        if (Password(password, "password", errors, account.Username, account.DisplayName) && password == current)
            errors.Add("password", "Choose a password other than the current one.");
        if (password != repeated) errors.Add("repeated", "The two new passwords differ.");
        if (!errors.IsEmpty) return null;
        if (!await staff.SetPasswordAsync(caller.Organization.Id, caller.ActorId, Hasher.HashPassword(account, password!), mustChange: false, caller.ActorId, ct))
            return null;
        return (await staff.FindAsync(caller.ActorId, ct))?.SessionStamp;
    }

    /// <summary>
    /// The password rule of NIST SP 800-63B-4 (5.1.1.2): 15 to 200 characters, any characters, no composition rules; a
    /// password that is common (breach and dictionary lists), repetitive or sequential, or built from the username, the
    /// person's name or the product's name is refused. zxcvbn (Dropbox's estimator, with its frequency lists) judges
    /// guessability; a score of 3 ("safely unguessable: moderate protection from offline slow-hash attack") is required.
    /// </summary>
    private static bool Password(string? password, string field, ValidationErrors errors, params string?[] context)
    {
        if (password is null || password.Length < MinPasswordLength || password.Length > 200 || !InputText.IsClean(password))
        {
            errors.Add(field, $"Use {MinPasswordLength} to 200 characters; a passphrase of a few unrelated words is easiest to remember.");
            return false;
        }
        var inputs = context.Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => c!).Concat(ContextWords);
        if (Zxcvbn.Zxcvbn.MatchPassword(password, inputs).Score < 3)
        {
            errors.Add(field, "That password is too easy to guess (a common password, a repeat or sequence, or your name). Add more unrelated words.");
            return false;
        }
        return true;
    }

    private static readonly string[] ContextWords = ["proceduretracker", "procedure", "tracker", "injection", "clinic", "admin", "password"];

    private static readonly string DummyHash = Hasher.HashPassword(new StaffRow(), "not a real password, only equal work");
}
