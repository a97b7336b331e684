using ProcedureTracker.Data.Policies;

namespace ProcedureTracker.Application.Policies;

/// <summary>
/// The one rule for naming a plan from an EHR's words: a payer plan whose code or alias equals a word, ignoring case and
/// outer spaces (<see cref="ProcedureTracker.Domain.Policies.Policy.IsNamed"/>). Clinic protocols (always-apply) are
/// never a plan named this way. CDS Coverage and FHIR writes both resolve through it.
/// </summary>
public sealed class PlanNames(PolicyStore policies)
{
    /// <summary>The organization's resolver: the plan code a word names, or null.</summary>
    public async Task<Func<string, string?>> ForAsync(Caller caller, CancellationToken ct)
    {
        var plans = (await policies.AllVersionsAsync(caller.Organization.Id, ct)).Where(v => !v.AlwaysApply).ToList();
        return word => plans.FirstOrDefault(v => v.IsNamed(word))?.Code;
    }
}
