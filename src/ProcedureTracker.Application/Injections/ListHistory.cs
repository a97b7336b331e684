using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Organizations;

namespace ProcedureTracker.Application.Injections;

/// <summary>A patient's records by date, and records found by the EHR's identifier.</summary>
public sealed class ListHistory(InjectionStore injections)
{
    /// <summary>The patient's records (voided ones only when asked); null when the organization has no such patient.</summary>
    public Task<IReadOnlyList<InjectionRow>?> RunAsync(Caller caller, string patientId, bool includeVoided, CancellationToken ct) =>
        injections.ListAsync(caller.Organization.Id, patientId, includeVoided, ct);

    /// <summary>One record of the organization by id (voided or not); null when none.</summary>
    public Task<InjectionRow?> ByIdAsync(Caller caller, Guid id, CancellationToken ct) => injections.FindByIdAsync(caller.Organization.Id, id, ct);

    /// <summary>Records whose externalId is <c>system|value</c>; without a system, every system's record with that value.</summary>
    public Task<IReadOnlyList<InjectionRow>> ByIdentifierAsync(Caller caller, string? system, string value, CancellationToken ct) =>
        injections.FindByIdentifierAsync(caller.Organization.Id, system, value, ct);
}
