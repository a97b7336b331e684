using ProcedureTracker.Data;
using ProcedureTracker.Data.Organizations;

namespace ProcedureTracker.Application.CdsHooks;

/// <summary>One card's feedback: which card, accepted or overridden, the coded reason. Free text is never taken.</summary>
public sealed record CdsFeedback(string Card, string Outcome, string? ReasonCode, string? ReasonDisplay, string? OutcomeTimestamp);

/// <summary>Stores each accepted or overridden card in the audit log (the clinician's free-text comment is not stored: it may hold patient details).</summary>
public sealed class RecordCdsFeedback(TrackerDatabase db)
{
    public Task RunAsync(Caller caller, string serviceId, IReadOnlyList<CdsFeedback> feedback, CancellationToken ct) =>
        ProcedureTracker.Data.Audit.WriteManyAsync(db, caller.Organization.Id, caller.ActorId,
            feedback.Select(f => ($"cds-{f.Outcome}", "cds-card", f.Card, (object?)new
            {
                service = serviceId, reasonCode = f.ReasonCode, reason = f.ReasonDisplay, outcomeTimestamp = f.OutcomeTimestamp,
            })).ToList(), ct);
}
