using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Application.Eligibility;

/// <summary>The answer to a check, or why there is none.</summary>
public abstract record CheckOutcome
{
    private CheckOutcome() { }

    /// <summary>The engine's answer.</summary>
    public sealed record Answered(EligibilityResult Result) : CheckOutcome;

    /// <summary>A plan was named that the organization does not have.</summary>
    public sealed record UnknownPlan(string Plan) : CheckOutcome;
}

/// <summary>
/// "May this patient have this injection on this date under this plan?" (a read: no lock, nothing stored). With
/// <c>replacing</c>, the question a correction asks: judged on the history without the record it would supersede, as
/// recording the correction judges it.
/// </summary>
public sealed class CheckEligibility(InjectionStore injections, EligibilityEvaluator evaluator, ProcedureTracker.Data.ReadAudit reads)
{
    public async Task<CheckOutcome> RunAsync(Caller caller, string patientId, string? plan, ProposedInjection proposal, CancellationToken ct,
        Guid? replacing = null)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var context = await injections.LoadContextAsync(caller.Organization.Id, patientId, plan, proposal.Date, ct);
        if (!context.PlanExists)
        {
            Telemetry.Checks.Add(1, new("door", caller.Door), new("outcome", "unknown-plan"));
            return new CheckOutcome.UnknownPlan(plan!);
        }
        await reads.PatientAsync(caller, patientId, "eligibility", ct);
        var history = replacing is { } old ? WithoutReplaced(context.History, old) : context.History;
        var result = Judge(evaluator, proposal, history, context);
        Telemetry.Checks.Add(1, new("door", caller.Door), new("outcome", result.Eligible ? "eligible" : "not-eligible"));
        Telemetry.CheckDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("door", caller.Door));
        return new CheckOutcome.Answered(result);
    }

    /// <summary>The history a correction is judged on: without the record it supersedes (one rule for the check and the record).</summary>
    internal static IReadOnlyList<InjectionRecord> WithoutReplaced(IReadOnlyList<InjectionRecord> history, Guid replaced) =>
        history.Where(r => r.Id != replaced).ToList();

    /// <summary>
    /// The one judgement every path makes (check, record, CDS): the engine under the context's plan and versions, plus
    /// the warning naming the plan used when none was named.
    /// </summary>
    internal static EligibilityResult Judge(EligibilityEvaluator evaluator, ProposedInjection proposal, IReadOnlyList<InjectionRecord> history,
        EligibilityContext context)
    {
        var result = evaluator.Evaluate(proposal, history, context.Policies, context.Plan);
        return context.PlanInferred
            ? result.WithUnchecked($"No plan was named: the plan of the patient's latest injection, '{context.Plan}', was used.")
            : result;
    }
}
