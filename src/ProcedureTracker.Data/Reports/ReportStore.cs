using ProcedureTracker.Data.Injections;
using System.Runtime.CompilerServices;
using System.Data;
using System.Globalization;
using Dapper;
using NodaTime;

namespace ProcedureTracker.Data.Reports;

/// <summary>One row of the yearly counts: one patient, plan and procedure in one period.</summary>
public sealed class YearlyCountRow
{
    public string PatientId { get; init; } = "";
    public string? Plan { get; init; }
    public string Procedure { get; init; } = "";
    public LocalDate PeriodStart { get; init; }
    public LocalDate PeriodEnd { get; init; }
    public long Sessions { get; init; }
    public long Injections { get; init; }
    public long SteroidSessions { get; init; }
    public decimal SteroidMpeMg { get; init; }
}

/// <summary>Billing reports computed in SQL over indexed columns, streamed row by row.</summary>
public sealed class ReportStore(TrackerDatabase db)
{
    // The yearly counts, with {org}, {year}, {planBasis} and {plan} standing for the arguments: parameters for the JSON rows,
    // literals for COPY (which takes no parameters). The calendar basis reads only the year; the plan basis reads the year
    // after too (a plan year starting in July ends in the next calendar year).
    private const string YearlySql = """
        with starts as (
            select distinct on (policy_code) policy_code, plan_year_start
            from policy_versions_governing({org}, make_date({year}, 1, 1), make_date({year}, 12, 31))
            order by policy_code, effective_from desc nulls last, version desc),
        dated as (
            select i.patient_id, i.plan, i.procedure, i.date_of_service, i.steroid_drug, i.steroid_mpe_mg,
                   case when {planBasis} then coalesce(s.plan_year_start, '01-01') else '01-01' end as month_day
            from injections i left join starts s on {planBasis} and s.policy_code = i.plan
            where i.organization_id = {org} and i.voided_at is null
              and i.date_of_service >= make_date({year}, 1, 1)
              and i.date_of_service <= make_date(case when {planBasis} then {year} + 1 else {year} end, 12, 31)
              and ({plan}::text is null or i.plan = {plan})),
        periods as (
            select *, case when {planBasis} then plan_year_start_in({year}, month_day) else make_date({year}, 1, 1) end as period_start,
                      case when {planBasis} then plan_year_start_in({year} + 1, month_day) - 1 else make_date({year}, 12, 31) end as period_end
            from dated)
        select p.external_id as "patientId", x.plan as "plan", x.procedure as "procedure", x.period_start as "periodStart",
               x.period_end as "periodEnd", count(distinct x.date_of_service) as "sessions", count(*) as "injections",
               count(distinct x.date_of_service) filter (where x.steroid_drug is not null) as "steroidSessions",
               trim_scale(coalesce(sum(x.steroid_mpe_mg), 0)) as "steroidMpeMg"
        from periods x join patients p on p.id = x.patient_id
        where x.date_of_service between x.period_start and x.period_end
        group by p.external_id, x.plan, x.procedure, x.period_start, x.period_end
        order by p.external_id, x.plan nulls first, x.procedure
        """;

    private static readonly string YearlyParameterizedSql =
        YearlySql.Replace("{org}", "@org").Replace("{year}", "@year").Replace("{planBasis}", "@planBasis").Replace("{plan}", "@plan");

    /// <summary>
    /// Sessions (distinct dates of service), injections, steroid sessions and mg MPE per patient, plan and procedure,
    /// voided records excluded. <paramref name="planBasis"/> false: the calendar year; true: each injection's plan's
    /// plan year that starts in <paramref name="year"/> (the plan-year start of the plan's version governing that year, the
    /// latest if it changed during the year; injections
    /// without a plan, or with a plan the organization does not have, count by calendar year).
    /// </summary>
    public async IAsyncEnumerable<YearlyCountRow> YearlyCountsAsync(long org, int year, bool planBasis, string? plan,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var connection = await db.OpenForLaggingReadAsync(ct);
        var rows = connection.QueryUnbufferedAsync<YearlyCountRow>(YearlyParameterizedSql, new { org, year, planBasis, plan });
        await foreach (var row in rows.WithCancellation(ct)) yield return row;
    }

    /// <summary>
    /// The same rows as <see cref="YearlyCountsAsync"/> as CSV text with a header row, written by PostgreSQL itself
    /// (<c>COPY ... TO STDOUT</c>) and streamed to <paramref name="destination"/> with CRLF line ends (RFC 4180). Dates are
    /// ISO, decimals carry no trailing zeros, a missing plan is an empty cell.
    /// </summary>
    public async Task CopyYearlyCountsCsvAsync(long org, int year, bool planBasis, string? plan, TextWriter destination, CancellationToken ct)
    {
        var sql = YearlySql.Replace("{org}", org.ToString(CultureInfo.InvariantCulture)).Replace("{year}", year.ToString(CultureInfo.InvariantCulture))
            .Replace("{planBasis}", planBasis ? "true" : "false").Replace("{plan}", plan is null ? "null" : "'" + plan.Replace("'", "''") + "'");
        await using var connection = await db.OpenForLaggingReadAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        // Dates as the JSON and every other file of the service write them, whatever the server's default DateStyle; and
        // room for the report's sort in memory (a year of a large organization spills to disk at the default 4 MB).
        await connection.ExecuteAsync(new CommandDefinition("set local datestyle = 'ISO, YMD'; set local work_mem = '64MB'", transaction: tx,
            cancellationToken: ct));
        using (var reader = await connection.BeginTextExportAsync($"copy ({sql}) to stdout with (format csv, header)", ct))
        {
            var buffer = new char[32 * 1024];
            var output = new char[2 * buffer.Length];
            int read;
            while ((read = await reader.ReadAsync(buffer, ct)) > 0)
            {
                // Patient ids, plans and procedure codes never hold a line break (InputText), so every LF ends a row.
                var n = 0;
                foreach (var c in buffer.AsSpan(0, read))
                {
                    if (c == '\n') output[n++] = '\r';
                    output[n++] = c;
                }
                await destination.WriteAsync(output.AsMemory(0, n), ct);
            }
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Every non-voided injection with a date of service in (<paramref name="after"/>, <paramref name="until"/>], grouped
    /// by patient (ordered by patient, then date), streamed: the input of the approaching-limits report.
    /// </summary>
    public async IAsyncEnumerable<InjectionRow> RecentHistoryAsync(long org, LocalDate after, LocalDate until,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        const string sql = $"""
            select p.external_id as PatientId, p.latest_plan as PatientLatestPlan, i.plan, {InjectionRow.HistoryColumns}
            from injections i join patients p on p.id = i.patient_id
            where i.organization_id = @org and i.voided_at is null and i.date_of_service > @after and i.date_of_service <= @until
            order by p.external_id, i.date_of_service
            """;
        await using var connection = await db.OpenForLaggingReadAsync(ct);
        await foreach (var row in connection.QueryUnbufferedAsync<InjectionRow>(sql, new { org, after, until }).WithCancellation(ct)) yield return row;
    }
}
