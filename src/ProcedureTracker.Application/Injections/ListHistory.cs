using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Organizations;

namespace ProcedureTracker.Application.Injections;

/// <summary>A patient's records by date, and records found by the EHR's identifier.</summary>
public sealed class ListHistory(InjectionStore injections, ProcedureTracker.Data.ReadAudit reads)
{
    /// <summary>The patient's records (voided ones only when asked); null when the organization has no such patient. Audited as a read.</summary>
    public async Task<IReadOnlyList<InjectionRow>?> RunAsync(Caller caller, string patientId, bool includeVoided, CancellationToken ct)
    {
        var rows = await injections.ListAsync(caller.Organization.Id, patientId, includeVoided, ct);
        if (rows is not null) await reads.PatientAsync(caller, patientId, "history", ct);
        return rows;
    }

    /// <summary>One record of the organization by id (voided or not); null when none. Audited as a read of its patient.</summary>
    public async Task<InjectionRow?> ByIdAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var row = await injections.FindByIdAsync(caller.Organization.Id, id, ct);
        if (row is not null) await reads.PatientAsync(caller, row.PatientId, "record", ct);
        return row;
    }

    /// <summary>Records whose externalId is <c>system|value</c>; without a system, every system's record with that value.</summary>
    public Task<IReadOnlyList<InjectionRow>> ByIdentifierAsync(Caller caller, string? system, string value, CancellationToken ct) =>
        injections.FindByIdentifierAsync(caller.Organization.Id, system, value, ct);
}
