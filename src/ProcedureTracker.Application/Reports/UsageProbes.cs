using NodaTime;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Application.Reports;

/// <summary>
/// Where a patient stands on every counting rule: for each procedure and site of a non-voided record in the year up to
/// <c>date</c> (and after it), the engine's usage lines for a check of that procedure and site on <c>date</c>, without
/// steroid, under <paramref name="plan"/> and the always-apply policies. The patient page's meters and the
/// approaching-limits report both read it, each keeping the lines it wants.
/// </summary>
public static class UsageProbes
{
    public static IEnumerable<(string Procedure, string Region, RuleUsage Usage)> Of(EligibilityEvaluator evaluator, IReadOnlyList<InjectionRecord> history,
        IReadOnlyList<Policy> versions, string? plan, LocalDate date)
    {
        var probes = history.Where(r => !r.IsVoided && r.DateOfService > date.PlusYears(-1))
            .Select(r => (r.Procedure, r.Site.Region, r.Site.Laterality)).Distinct();
        foreach (var (procedure, region, laterality) in probes)
        {
            var result = evaluator.Evaluate(new ProposedInjection(procedure, new BodySite(region, laterality), null, date), history, versions, plan);
            foreach (var usage in result.Usage) yield return (procedure, region, usage);
        }
    }
}
