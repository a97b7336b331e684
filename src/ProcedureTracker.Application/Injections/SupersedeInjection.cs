using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Organizations;

namespace ProcedureTracker.Application.Injections;

/// <summary>
/// Replaces a mistaken record with a corrected one in one atomic step: the old record is voided ("superseded by"), the
/// new one is judged against the history without the old one and stored, both audited. Nothing is deleted.
/// </summary>
public sealed class SupersedeInjection(RecordInjection record)
{
    public Task<RecordOutcome> RunAsync(Caller caller, Guid superseded, NewInjection corrected, CancellationToken ct) =>
        record.RunAsync(caller, corrected with { Supersedes = superseded }, ct);
}
