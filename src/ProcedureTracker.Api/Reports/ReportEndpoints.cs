using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime;
using NodaTime.Text;
using ProcedureTracker.Api.Infrastructure;
using ProcedureTracker.Api.Injections;
using ProcedureTracker.Data.Reports;
using ProcedureTracker.Domain;

namespace ProcedureTracker.Api.Reports;

public static class ReportEndpoints
{
    private static readonly string[] YearlyHeader =
        ["patientId", "plan", "procedure", "periodStart", "periodEnd", "sessions", "injections", "steroidSessions", "steroidMpeMg"];
    private static readonly string[] ApproachingHeader =
        ["patientId", "policy", "ruleId", "kind", "procedure", "region", "used", "limit", "remaining", "unit", "windowStart", "windowEnd"];

    public static void MapReports(this IEndpointRouteBuilder v1)
    {
        var group = v1.MapGroup("/reports").WithTags("Reports").RequireAuthorization(Roles.Reports);
        group.MapGet("/yearly-counts", YearlyCounts);
        group.MapGet("/approaching-limits", Approaching);
    }

    private static async Task<Results<Ok<IAsyncEnumerable<YearlyCountRow>>, EmptyHttpResult, ValidationProblem>> YearlyCounts(
        int? year, string? basis, string? plan, string? format, ClaimsPrincipal user, ReportStore reports, HttpResponse response, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (year is null or < 1900 or > 2200) errors.Add("year", "A year between 1900 and 2200 is required.");
        if (basis is not (null or "calendar" or "plan")) errors.Add("basis", "Use calendar or plan.");
        CheckFormat(format, errors);
        InjectionRequestValidation.Plan(plan, errors);
        if (!errors.IsEmpty) return Problems.Invalid(errors);

        var rows = reports.YearlyCountsAsync(ApiKeyAuthentication.CallerOf(user).Organization.Id, year!.Value, basis == "plan", plan, ct);
        if (format != "csv") return TypedResults.Ok(rows);
        await Csv.WriteAsync(response, $"yearly-counts-{year}-{basis ?? "calendar"}.csv", YearlyHeader, rows, r =>
        [
            Csv.Field(r.PatientId), Csv.Field(r.Plan), Csv.Field(r.Procedure), Date(r.PeriodStart), Date(r.PeriodEnd),
            r.Sessions.ToString(), r.Injections.ToString(), r.SteroidSessions.ToString(), Csv.Field(r.SteroidMpeMg),
        ], ct);
        return TypedResults.Empty;
    }

    private static async Task<Results<Ok<IAsyncEnumerable<ApproachingRow>>, EmptyHttpResult, ValidationProblem>> Approaching(
        string? date, string? plan, string? format, ClaimsPrincipal user, ApproachingLimits approaching, IClock clock, HttpResponse response,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var caller = ApiKeyAuthentication.CallerOf(user);
        var day = clock.Today(caller.Organization);
        if (date is not null)
        {
            if (DateText.TryParse(date, out var parsed)) day = parsed;
            else errors.Add("date", DateText.Message);
        }
        CheckFormat(format, errors);
        InjectionRequestValidation.Plan(plan, errors);
        if (!errors.IsEmpty) return Problems.Invalid(errors);

        var rows = approaching.FindAsync(caller.Organization.Id, day, plan, ct);
        if (format != "csv") return TypedResults.Ok(rows);
        await Csv.WriteAsync(response, $"approaching-limits-{Date(day)}.csv", ApproachingHeader, rows, r =>
        [
            Csv.Field(r.PatientId), Csv.Field(r.Policy), Csv.Field(r.RuleId), r.Kind, Csv.Field(r.Procedure), Csv.Field(r.Region),
            Csv.Field(r.Used), Csv.Field(r.Limit), Csv.Field(r.Remaining), r.Unit, Date(r.WindowStart), Date(r.WindowEnd),
        ], ct);
        return TypedResults.Empty;
    }

    private static void CheckFormat(string? format, ValidationErrors errors)
    {
        if (format is not (null or "json" or "csv")) errors.Add("format", "Use json or csv.");
    }

    private static string Date(LocalDate date) => LocalDatePattern.Iso.Format(date);
}
