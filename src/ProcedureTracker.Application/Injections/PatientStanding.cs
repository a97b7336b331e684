using NodaTime;
using ProcedureTracker.Application.Reports;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Policies;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Application.Injections;

/// <summary>
/// A patient's usage of every counting rule on a date, and when each procedure and site may next be repeated, from
/// their records (as listed) and the organization's cached policy versions, under the plan of their latest injection
/// that has one: the answer a check would give, without a database round trip per procedure and site.
/// </summary>
public sealed class PatientStanding(PolicyStore policies, EligibilityEvaluator evaluator)
{
    public async Task<IReadOnlyList<(string Procedure, string Region, RuleUsage Usage)>> RunAsync(Caller caller, IReadOnlyList<InjectionRow> rows,
        LocalDate date, CancellationToken ct)
    {
        var (versions, history, plan) = await ReadAsync(caller, rows, ct);
        return UsageProbes.Of(evaluator, history, versions, plan, date).ToList();
    }

    /// <summary>
    /// For each procedure and site with a live record since <paramref name="since"/>: the engine's answer to repeating its
    /// latest record (steroid included) on <paramref name="date"/>, latest lanes first, at most <paramref name="lanes"/>.
    /// </summary>
    public async Task<IReadOnlyList<(InjectionRow Latest, EligibilityResult Answer)>> NextAllowedAsync(Caller caller, IReadOnlyList<InjectionRow> rows,
        LocalDate date, LocalDate since, int lanes, CancellationToken ct)
    {
        var (versions, history, plan) = await ReadAsync(caller, rows, ct);
        return rows.Where(r => r.VoidedAt is null && r.DateOfService >= since)
            .GroupBy(r => (r.Procedure, r.Region, r.Laterality))
            .Select(g => g.MaxBy(r => r.DateOfService)!)
            .OrderByDescending(r => r.DateOfService).Take(lanes)
            .Select(latest =>
            {
                var record = latest.ToRecord();
                return (latest, evaluator.Evaluate(new ProposedInjection(latest.Procedure, record.Site, record.Steroid, date), history, versions, plan));
            })
            .ToList();
    }

    /// <summary>The organization's policy versions (cached), the patient's live records as the rules see them, and their latest plan.</summary>
    private async Task<(IReadOnlyList<Policy> Versions, IReadOnlyList<InjectionRecord> History, string? Plan)> ReadAsync(Caller caller,
        IReadOnlyList<InjectionRow> rows, CancellationToken ct)
    {
        var versions = await policies.AllVersionsAsync(caller.Organization.Id, ct);
        var live = rows.Where(r => r.VoidedAt is null).ToList();
        return (versions, live.Select(r => r.ToRecord()).ToList(), QuestionPlan.Latest(rows.Select(r => r.ToPlanned())));
    }
}
