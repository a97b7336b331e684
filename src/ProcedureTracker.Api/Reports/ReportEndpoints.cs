using ProcedureTracker.Application.Injections;
using ProcedureTracker.Application.Reports;
using ProcedureTracker.Data.Reports;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Api.Reports;

/// <summary>The billing reports as JSON or CSV; every parameter is validated before the first byte is written.</summary>
public static class ReportEndpoints
{
    private static readonly string[] ApproachingHeader =
        ["patientId", "policy", "ruleId", "kind", "procedure", "region", "used", "limit", "remaining", "unit", "windowStart", "windowEnd"];

    public sealed record ApproachingDto(string PatientId, string Policy, string RuleId, string Kind, string Procedure, string? Region,
        decimal Used, decimal Limit, decimal Remaining, string Unit, LocalDate WindowStart, LocalDate WindowEnd);

    public static void MapReports(this IEndpointRouteBuilder v1)
    {
        var group = v1.MapGroup("/reports").WithTags("Reports").RequireAuthorization(Permission.Reports);
        group.MapGet("/yearly-counts", YearlyCounts)
            .WithName("yearlyCounts").WithSummary("Yearly counts")
            .WithDescription("Sessions, injections, steroid sessions and mg MPE per patient, plan and procedure for a calendar or plan year; format=csv for a CSV file.")
            .WithMetadata(new CsvResponse());
        group.MapGet("/approaching-limits", Approaching)
            .WithName("approachingLimits").WithSummary("Patients near a cap")
            .WithDescription("Everyone with at most one session (or 40 mg MPE) left on a counting rule on a date; format=csv for a CSV file.")
            .WithMetadata(new CsvResponse());
    }

    private static async Task<Results<Ok<IAsyncEnumerable<YearlyCountRow>>, EmptyHttpResult, ValidationProblem>> YearlyCounts(
        int? year, string? basis, string? plan, string? format, Caller caller, YearlyCounts counts, HttpResponse response, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (year is null or < DateText.MinYear or > DateText.MaxYear) errors.Add("year", "A year between 1900 and 2200 is required.");
        if (basis is not (null or "calendar" or "plan")) errors.Add("basis", "Use calendar or plan.");
        CheckFormat(format, errors);
        InjectionInput.Plan(plan, "plan", errors);
        if (!errors.IsEmpty) return Problems.Invalid(errors);
        if (format == "csv")
            return await WriteYearlyCsvAsync(response, counts, caller, year!.Value, basis ?? "calendar", plan, ct)
                ? TypedResults.Empty : Problems.Invalid("plan", $"Unknown plan '{plan}'.");
        var rows = await counts.RunAsync(caller, year!.Value, basis == "plan", plan, ct);
        return rows is null ? Problems.Invalid("plan", $"Unknown plan '{plan}'.") : TypedResults.Ok(rows);
    }

    private static async Task<Results<Ok<IAsyncEnumerable<ApproachingDto>>, EmptyHttpResult, ValidationProblem>> Approaching(
        string? date, string? plan, string? format, Caller caller, ApproachingLimits approaching, OrganizationClock clock, HttpResponse response,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var day = clock.Today(caller.Organization);
        if (date is not null)
        {
            if (DateText.TryParse(date, out var parsed)) day = parsed;
            else errors.Add("date", DateText.Message);
        }
        CheckFormat(format, errors);
        InjectionInput.Plan(plan, "plan", errors);
        if (!errors.IsEmpty) return Problems.Invalid(errors);

        var rows = await approaching.RunAsync(caller, day, plan, ct);
        if (rows is null) return Problems.Invalid("plan", $"Unknown plan '{plan}'.");
        var dtos = Select(rows, ToDto);
        if (format != "csv") return TypedResults.Ok(dtos);
        await WriteApproachingCsvAsync(response, dtos, day, ct);
        return TypedResults.Empty;
    }

    /// <summary>
    /// The yearly counts as CSV (the API and the web page's download), written by the database (COPY) straight into the
    /// response; false, before any byte, for an unknown plan.
    /// </summary>
    public static Task<bool> WriteYearlyCsvAsync(HttpResponse response, YearlyCounts counts, Caller caller, int year, string basis, string? plan,
        CancellationToken ct) =>
        counts.WriteCsvAsync(caller, year, basis == "plan", plan, () => Csv.Start(response, $"yearly-counts-{year}-{basis}.csv"), ct);

    /// <summary>The approaching-limits list as CSV.</summary>
    public static Task WriteApproachingCsvAsync(HttpResponse response, IAsyncEnumerable<ApproachingDto> rows, LocalDate day, CancellationToken ct) =>
        Csv.WriteAsync(response, $"approaching-limits-{Date(day)}.csv", ApproachingHeader, rows, r =>
        [
            r.PatientId, r.Policy, r.RuleId, r.Kind, r.Procedure, r.Region, Csv.Number(r.Used), Csv.Number(r.Limit), Csv.Number(r.Remaining),
            r.Unit, Date(r.WindowStart), Date(r.WindowEnd),
        ], ct);

    public static ApproachingDto ToDto(ApproachingRow r) => new(r.PatientId, r.Policy, r.RuleId, r.Kind.ToCode(), r.Procedure, r.Region, r.Used, r.Limit,
        r.Remaining, r.Unit.ToCode(), r.WindowStart, r.WindowEnd);

    public static async IAsyncEnumerable<TOut> Select<TIn, TOut>(IAsyncEnumerable<TIn> rows, Func<TIn, TOut> map)
    {
        await foreach (var row in rows) yield return map(row);
    }

    private static void CheckFormat(string? format, ValidationErrors errors)
    {
        if (format is not (null or "json" or "csv")) errors.Add("format", "Use json or csv.");
    }

    private static string Date(LocalDate date) => LocalDatePattern.Iso.Format(date);
}
