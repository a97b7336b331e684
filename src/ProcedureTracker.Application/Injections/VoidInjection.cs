using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Organizations;

namespace ProcedureTracker.Application.Injections;

/// <summary>Voids a record: it stops counting and stays in the history, with who, when and why audited.</summary>
public sealed class VoidInjection(InjectionStore injections)
{
    /// <summary>The reason stored when an EHR reports a procedure as entered-in-error.</summary>
    public const string EnteredInError = "entered-in-error (reported by the EHR)";

    public Task<(VoidOutcome Outcome, InjectionRow? Injection)> RunAsync(Caller caller, string patientId, Guid id, string reason, CancellationToken ct) =>
        injections.VoidAsync(caller.Organization.Id, patientId, id, reason, caller.ActorId, ct);

    /// <summary>
    /// Voids the patient's record with this externalId (a FHIR Procedure reported entered-in-error); voiding one already
    /// voided answers it as it is. NotFound when the organization has no such record for this patient.
    /// </summary>
    public async Task<(VoidOutcome Outcome, InjectionRow? Injection)> ByExternalIdAsync(Caller caller, string patientId, string externalId,
        CancellationToken ct)
    {
        var org = caller.Organization.Id;
        var existing = await injections.FindByExternalIdAsync(org, externalId, ct);
        if (existing is null || existing.PatientId != patientId) return (VoidOutcome.NotFound, null);
        if (existing.VoidedAt is not null) return (VoidOutcome.AlreadyVoided, existing);
        var (outcome, row) = await injections.VoidAsync(org, patientId, existing.Id, EnteredInError, caller.ActorId, ct);
        return outcome == VoidOutcome.Voided ? (outcome, row) : (outcome, await injections.FindByExternalIdAsync(org, externalId, ct));
    }
}
