using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Data.Reports;

namespace ProcedureTracker.Application.Reports;

/// <summary>Counts per patient, plan and procedure for a calendar or plan year, as payers count them.</summary>
public sealed class YearlyCounts(ReportStore reports, PolicyStore policies)
{
    /// <summary>
    /// The rows, streamed; null when <paramref name="plan"/> names no plan of the organization (checked before the first
    /// row, so a report never starts and then fails).
    /// </summary>
    public async Task<IAsyncEnumerable<YearlyCountRow>?> RunAsync(Caller caller, int year, bool planBasis, string? plan, CancellationToken ct)
    {
        var org = caller.Organization.Id;
        if (plan is not null && !await policies.ExistsAsync(org, plan, ct)) return null;
        return reports.YearlyCountsAsync(org, year, planBasis, plan, ct);
    }
}
