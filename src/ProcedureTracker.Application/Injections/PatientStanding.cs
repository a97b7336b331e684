using NodaTime;
using ProcedureTracker.Application.Reports;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Domain.Eligibility;

namespace ProcedureTracker.Application.Injections;

/// <summary>
/// A patient's usage of every counting rule on a date, from their records (as listed) and the organization's cached
/// policy versions, under the plan of their latest injection that has one: the answer a check would give, without a
/// database round trip per procedure and site.
/// </summary>
public sealed class PatientStanding(PolicyStore policies, EligibilityEvaluator evaluator)
{
    public async Task<IReadOnlyList<(string Procedure, string Region, RuleUsage Usage)>> RunAsync(Caller caller, IReadOnlyList<InjectionRow> rows,
        LocalDate date, CancellationToken ct)
    {
        var versions = await policies.AllVersionsAsync(caller.Organization.Id, ct);
        var live = rows.Where(r => r.VoidedAt is null).ToList();
        var plan = live.LastOrDefault(r => r.Plan is not null)?.Plan;
        return UsageProbes.Of(evaluator, live.Select(r => r.ToRecord()).ToList(), versions, plan, date).ToList();
    }
}
