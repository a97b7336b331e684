using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Domain;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Application.Policies;

/// <summary>Stores a policy as its next version (never changing an earlier one), audited.</summary>
public sealed class PutPolicy(PolicyStore policies, ProcedureCatalog catalog, OrganizationClock clock)
{
    /// <summary>The stored version, or the field errors that kept the draft from becoming a policy.</summary>
    public async Task<(PolicyVersion? Stored, ValidationErrors? Errors)> RunAsync(Caller caller, string code, PolicyDraft? draft, CancellationToken ct)
    {
        var validated = PolicyValidator.Validate(code, draft, catalog);
        if (validated.Value is not { } policy) return (null, validated.Errors);
        return (await policies.PutAsync(caller.Organization.Id, policy, clock.Today(caller.Organization), caller.ActorId, ct), null);
    }
}

/// <summary>The policy versions in force on a date (today by default).</summary>
public sealed class ReadPolicies(PolicyStore policies, OrganizationClock clock)
{
    public Task<IReadOnlyList<PolicyVersion>> ListAsync(Caller caller, NodaTime.LocalDate? asOf, CancellationToken ct) =>
        policies.ListAsync(caller.Organization.Id, asOf ?? clock.Today(caller.Organization), ct);

    /// <summary>Every version of every policy, numbered, by code then version.</summary>
    public Task<IReadOnlyList<PolicyVersion>> VersionsAsync(Caller caller, CancellationToken ct) => policies.VersionsAsync(caller.Organization.Id, ct);

    public Task<PolicyVersion?> GetAsync(Caller caller, string code, NodaTime.LocalDate? asOf, CancellationToken ct) =>
        policies.GetAsync(caller.Organization.Id, code, asOf ?? clock.Today(caller.Organization), ct);
}
