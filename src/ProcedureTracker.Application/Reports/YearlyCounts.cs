using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Data.Reports;

namespace ProcedureTracker.Application.Reports;

/// <summary>Counts per patient, plan and procedure for a calendar or plan year, as payers count them.</summary>
public sealed class YearlyCounts(ReportStore reports, PolicyStore policies, ProcedureTracker.Data.ReadAudit reads)
{
    /// <summary>
    /// The rows, streamed; null when <paramref name="plan"/> names no plan of the organization (checked before the first
    /// row, so a report never starts and then fails).
    /// </summary>
    public async Task<IAsyncEnumerable<YearlyCountRow>?> RunAsync(Caller caller, int year, bool planBasis, string? plan, CancellationToken ct)
    {
        var org = caller.Organization.Id;
        if (plan is not null && !await policies.ExistsAsync(org, plan, ct)) return null;
        await reads.ReportAsync(caller, "yearly-counts", new { year, basis = planBasis ? "plan" : "calendar", plan, format = "json" }, ct);
        return reports.YearlyCountsAsync(org, year, planBasis, plan, ct);
    }

    /// <summary>
    /// The same rows as CSV written by the database itself into <paramref name="destination"/> once <paramref name="start"/>
    /// has run (it sets the response headers); false, before anything is written, when <paramref name="plan"/> names no plan
    /// of the organization.
    /// </summary>
    public async Task<bool> WriteCsvAsync(Caller caller, int year, bool planBasis, string? plan, Func<TextWriter> start, CancellationToken ct)
    {
        var org = caller.Organization.Id;
        if (plan is not null && !await policies.ExistsAsync(org, plan, ct)) return false;
        await reads.ReportAsync(caller, "yearly-counts", new { year, basis = planBasis ? "plan" : "calendar", plan, format = "csv" }, ct);
        await using var writer = start();
        await reports.CopyYearlyCountsCsvAsync(org, year, planBasis, plan, writer, ct);
        await writer.FlushAsync(ct);
        return true;
    }
}
