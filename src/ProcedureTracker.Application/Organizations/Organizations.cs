using System.Text.RegularExpressions;
using NodaTime;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Domain;

namespace ProcedureTracker.Application.Organizations;

/// <summary>An organization's own settings (its admin), and new organizations (the operator).</summary>
public sealed partial class ManageOrganizations(OrganizationStore organizations)
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,63}$")]
    private static partial Regex CodePattern();

    public Task<OrganizationSettings> GetAsync(Caller caller, CancellationToken ct) => organizations.GetSettingsAsync(caller.Organization.Id, ct);

    /// <summary>Sets the name and IANA time zone; null with field errors when refused.</summary>
    public async Task<OrganizationSettings?> UpdateAsync(Caller caller, string? name, string? timeZone, ValidationErrors errors, CancellationToken ct)
    {
        Validate(name, timeZone, errors);
        return errors.IsEmpty ? await organizations.UpdateSettingsAsync(caller.Organization.Id, name!.Trim(), timeZone!, caller.ActorId, ct) : null;
    }

    /// <summary>
    /// Creates an organization (with the default policies) and its first admin key, shown once; null with field errors
    /// when refused (a taken code among them). Audited in the new organization's log.
    /// </summary>
    public async Task<(OrganizationSettings Organization, string AdminKey)?> CreateAsync(string? code, string? name, string? timeZone, ValidationErrors errors,
        CancellationToken ct)
    {
        if (code is null || !CodePattern().IsMatch(code)) errors.Add("code", "Use 2-64 of a-z 0-9 - (starting with a letter or digit).");
        Validate(name, timeZone, errors);
        if (errors.IsEmpty && await organizations.ExistsAsync(code!, ct)) errors.Add("code", $"An organization '{code}' exists already.");
        if (!errors.IsEmpty) return null;
        var created = await organizations.EnsureAsync(code!, name!.Trim(), timeZone!, ct);
        var (_, key) = await organizations.CreateKeyAsync(created.Id, "first admin (created by the operator)", Roles.Admin, null, ct);
        return (await organizations.GetSettingsAsync(created.Id, ct), key);
    }

    private static void Validate(string? name, string? timeZone, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 200) errors.Add("name", "A name of 1-200 characters is required.");
        if (timeZone is null || DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone) is null)
            errors.Add("timeZone", "Use an IANA time zone, e.g. America/New_York.");
    }
}
