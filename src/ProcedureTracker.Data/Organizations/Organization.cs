namespace ProcedureTracker.Data.Organizations;

/// <summary>A clinic (tenant). Every clinical row belongs to one.</summary>
/// <param name="Id">Database id.</param>
/// <param name="Code">Stable code, e.g. <c>default</c>.</param>
/// <param name="TimeZone">IANA time zone the clinic's dates of service are in.</param>
public sealed record Organization(long Id, string Code, string TimeZone);

/// <summary>An active API key: its id, organization and role.</summary>
public sealed record ApiKeyMatch(Guid KeyId, Organization Organization, string Role);

/// <summary>An API key without its secret.</summary>
public sealed record ApiKeyInfo(Guid Id, string Name, string Role, DateTime CreatedAt, DateTime? RevokedAt, string? Prefix);

/// <summary>What an organization's admin sees and sets.</summary>
public sealed record OrganizationSettings(string Code, string Name, string TimeZone, DateTime CreatedAt);
