using System.Runtime.CompilerServices;
using NodaTime;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Data.Reports;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Application.Reports;

/// <summary>A patient at or near a cap on one counting rule.</summary>
public sealed record ApproachingRow(string PatientId, string Policy, string RuleId, RuleKind Kind, string Procedure, string? Region,
    decimal Used, decimal Limit, decimal Remaining, UsageUnit Unit, LocalDate WindowStart, LocalDate WindowEnd);

/// <summary>
/// Patients whose usage of a counting rule leaves at most one session (or at most <see cref="MgThreshold"/> mg MPE)
/// on a date. Usage comes from the engine itself, so it counts exactly as a check would: for each procedure and site
/// the patient had in the last year, under the plan a check without one is judged under (<see cref="QuestionPlan"/>)
/// plus every always-apply policy.
/// </summary>
public sealed class ApproachingLimits(ReportStore reports, PolicyStore policies, EligibilityEvaluator evaluator, ProcedureTracker.Data.ReadAudit reads)
{
    /// <summary>Remaining mg MPE at or under which a dose rule is reported (one typical triamcinolone dose).</summary>
    public const decimal MgThreshold = 40m;

    /// <summary>True when <paramref name="remaining"/> of a rule is at most one session or <see cref="MgThreshold"/> mg MPE (the patient page's amber meter too).</summary>
    public static bool IsNear(UsageUnit unit, decimal remaining) => unit == UsageUnit.MgMpe ? remaining <= MgThreshold : remaining <= 1;

    /// <summary>The rows, streamed; null when <paramref name="plan"/> names no plan of the organization.</summary>
    public async Task<IAsyncEnumerable<ApproachingRow>?> RunAsync(Caller caller, LocalDate date, string? plan, CancellationToken ct)
    {
        var org = caller.Organization.Id;
        if (plan is not null && !await policies.ExistsAsync(org, plan, ct)) return null;
        await reads.ReportAsync(caller, "approaching-limits", new { date = date.ToString("yyyy-MM-dd", null), plan }, ct);
        var versions = await policies.AllVersionsAsync(org, ct);
        return FindAsync(org, versions, date, plan, ct);
    }

    private async IAsyncEnumerable<ApproachingRow> FindAsync(long org, IReadOnlyList<Policy> versions, LocalDate date, string? plan,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var patient = (string?)null;
        var records = new List<InjectionRow>();
        await foreach (var row in reports.RecentHistoryAsync(org, date.PlusYears(-1), date, ct))
        {
            if (patient is not null && row.PatientId != patient)
                foreach (var found in Evaluate(patient, records, versions, date, plan)) yield return found;
            if (row.PatientId != patient) { patient = row.PatientId; records.Clear(); }
            records.Add(row);
        }
        if (patient is not null)
            foreach (var found in Evaluate(patient, records, versions, date, plan)) yield return found;
    }

    private IEnumerable<ApproachingRow> Evaluate(string patient, List<InjectionRow> rows, IReadOnlyList<Policy> versions, LocalDate date, string? planFilter)
    {
        // The plan a check without one is judged under (QuestionPlan, kept on the patient's row), not one guessed from
        // the year read here: the report and the check give one answer.
        var plan = rows[0].PatientLatestPlan;
        if (planFilter is not null && plan != planFilter) yield break;
        var history = rows.Select(r => r.ToRecord()).ToList();
        var seen = new HashSet<(string, string, string?)>();
        foreach (var (procedure, probeRegion, usage) in UsageProbes.Of(evaluator, history, versions, plan, date))
        {
            var near = IsNear(usage.Unit, usage.Remaining);
            var region = usage.Scope == RuleScope.Patient ? null : probeRegion;
            // A rule over every procedure is listed as such ("*", as policies write it), not under the procedure that probed it.
            var anyProcedure = versions.Where(v => v.Code == usage.Policy).SelectMany(v => v.Rules).Any(r => r.Id == usage.RuleId && r.AllProcedures);
            if (near && seen.Add((usage.Policy, usage.RuleId, region)))
                yield return new ApproachingRow(patient, usage.Policy, usage.RuleId, usage.Kind, anyProcedure ? Rule.AnyProcedure : procedure, region,
                    usage.Used, usage.Limit, usage.Remaining, usage.Unit, usage.WindowStart, usage.WindowEnd);
        }
    }
}
