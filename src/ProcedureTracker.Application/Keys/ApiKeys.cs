using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Domain;

namespace ProcedureTracker.Application.Keys;

/// <summary>Creates an API key for a machine (shown once, stored as a SHA-256 hash), audited.</summary>
public sealed class CreateApiKey(OrganizationStore organizations)
{
    public async Task<(Guid Id, string Name, string Role, string Key)?> RunAsync(Caller caller, string? name, string? role, ValidationErrors errors,
        CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100) errors.Add("name", "A name of 1-100 characters is required.");
        if (!Roles.IsKnown(role)) errors.Add("role", $"Use one of: {string.Join(", ", Roles.All)}.");
        if (!errors.IsEmpty) return null;
        var (id, key) = await organizations.CreateKeyAsync(caller.Organization.Id, name!.Trim(), role!, caller.ActorId, ct);
        return (id, name.Trim(), role!, key);
    }
}

/// <summary>The organization's keys (never their secrets), and revoking one.</summary>
public sealed class ManageApiKeys(OrganizationStore organizations)
{
    public Task<IReadOnlyList<ApiKeyInfo>> ListAsync(Caller caller, CancellationToken ct) => organizations.ListKeysAsync(caller.Organization.Id, ct);

    /// <summary>False when there is no active key with that id.</summary>
    public Task<bool> RevokeAsync(Caller caller, Guid id, CancellationToken ct) => organizations.RevokeKeyAsync(caller.Organization.Id, id, caller.ActorId, ct);
}
