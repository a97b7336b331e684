using System.Runtime.CompilerServices;
using Dapper;
using NodaTime;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Data.Reports;

/// <summary>A patient at or near a cap on one counting rule.</summary>
public sealed record ApproachingRow(string PatientId, string Policy, string RuleId, string Kind, string Procedure, string? Region,
    decimal Used, decimal Limit, decimal Remaining, string Unit, LocalDate WindowStart, LocalDate WindowEnd);

/// <summary>
/// Patients whose usage of a counting rule leaves at most one session (or at most <see cref="MgThreshold"/> mg MPE)
/// on a date. Usage comes from the engine itself, so it counts exactly as a check would: for each procedure and site
/// the patient had in the last year, under the plan of their latest injection plus every always-apply policy.
/// </summary>
public sealed class ApproachingLimits(TrackerDatabase db, PolicyStore policyStore, EligibilityEvaluator evaluator)
{
    /// <summary>Remaining mg MPE at or under which a dose rule is reported (one typical triamcinolone dose).</summary>
    public const decimal MgThreshold = 40m;

    public async IAsyncEnumerable<ApproachingRow> FindAsync(long org, LocalDate date, string? plan, [EnumeratorCancellation] CancellationToken ct = default)
    {
        const string historySql = """
            select p.external_id as PatientId, i.id, i.procedure, i.region, i.laterality, i.site_detail as SiteDetail, i.steroid_drug as SteroidDrug,
                   i.steroid_dose_mg as SteroidDoseMg, i.steroid_mpe_mg as SteroidMpeMg, i.date_of_service as DateOfService, i.plan
            from injections i join patients p on p.id = i.patient_id
            where i.organization_id = @org and i.voided_at is null and i.date_of_service > @from and i.date_of_service <= @date
            order by p.external_id, i.date_of_service
            """;
        var versions = await policyStore.AllVersionsAsync(org, ct);
        await using var connection = await db.OpenAsync(ct);

        var patient = (string?)null;
        var records = new List<InjectionRow>();
        await foreach (var row in connection.QueryUnbufferedAsync<InjectionRow>(historySql, new { org, from = date.PlusYears(-1), date }).WithCancellation(ct))
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
        var plan = rows.LastOrDefault(r => r.Plan is not null)?.Plan;
        if (planFilter is not null && plan != planFilter) yield break;
        var policies = PolicyStore.InForce(versions, plan, date);
        if (policies.Count == 0) yield break;
        var history = rows.Select(r => r.ToRecord()).ToList();
        var seen = new HashSet<(string, string, string?)>();
        foreach (var probe in history.Select(r => (r.Procedure, r.Site.Region, r.Site.Laterality)).Distinct())
        {
            var result = evaluator.Evaluate(new ProposedInjection(probe.Procedure, new BodySite(probe.Region, probe.Laterality), null, date), history, versions, plan);
            foreach (var usage in result.Usage)
            {
                var near = usage.Unit == "mg" ? usage.Remaining <= MgThreshold : usage.Remaining <= 1;
                var scope = policies.First(p => p.Code == usage.Policy).Rules.First(r => r.Id == usage.RuleId).Scope;
                var region = scope == RuleScope.Patient ? null : probe.Region;
                if (near && seen.Add((usage.Policy, usage.RuleId, region)))
                    yield return new ApproachingRow(patient, usage.Policy, usage.RuleId, usage.Kind.ToCode(), probe.Procedure, region,
                        usage.Used, usage.Limit, usage.Remaining, usage.Unit, usage.WindowStart, usage.WindowEnd);
            }
        }
    }
}
