namespace ProcedureTracker.Data.Organizations;

/// <summary>A clinic (tenant). Every clinical row belongs to one.</summary>
/// <param name="Id">Database id.</param>
/// <param name="Code">Stable code, e.g. <c>default</c>.</param>
/// <param name="TimeZone">IANA time zone the clinic's dates of service are in.</param>
public sealed record Organization(long Id, string Code, string TimeZone);

/// <summary>Who is calling: the key, its organization and its role.</summary>
/// <param name="KeyId">The API key's id (recorded as the actor).</param>
/// <param name="Organization">The key's organization.</param>
/// <param name="Role">admin, clinician, billing or ehr.</param>
/// <param name="Door">Where the call came in: api, fhir, cds-hooks or web (the read audit names it).</param>
public sealed record Caller(Guid KeyId, Organization Organization, string Role, string Door = "api");

/// <summary>An API key without its secret.</summary>
public sealed record ApiKeyInfo(Guid Id, string Name, string Role, DateTime CreatedAt, DateTime? RevokedAt, string? Prefix);

/// <summary>What an organization's admin sees and sets.</summary>
public sealed record OrganizationSettings(string Code, string Name, string TimeZone, DateTime CreatedAt);
