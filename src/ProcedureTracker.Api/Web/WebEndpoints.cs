using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using ProcedureTracker.Api.Reports;
using ProcedureTracker.Application.Reports;

namespace ProcedureTracker.Api.Web;

/// <summary>The web application's few non-page endpoints: sign-out and the CSV downloads (cookie session, same use cases).</summary>
public static class WebEndpoints
{
    public static void MapWeb(this IEndpointRouteBuilder app)
    {
        app.MapPost("/signout", SignOut).ExcludeFromDescription();
        var billing = app.MapGroup("/billing").RequireAuthorization(Permission.Reports).ExcludeFromDescription();
        billing.MapGet("/yearly.csv", YearlyCsv);
        billing.MapGet("/approaching.csv", ApproachingCsv);
    }

    private static async Task<IResult> SignOut(HttpContext context, IAntiforgery antiforgery, ProcedureTracker.Application.Staff.StaffAccounts accounts)
    {
        if (!await antiforgery.IsRequestValidAsync(context)) return TypedResults.BadRequest();
        // Every session of the account ends, not only this browser's cookie (a copy of it stops working too).
        if (context.User.Identity?.IsAuthenticated == true && context.User.FindFirst(WebAuth.SessionStampClaim) is not null)
            await accounts.SignOutAsync(context.RequestServices.GetRequiredService<Caller>(), context.RequestAborted);
        await context.SignOutAsync(WebAuth.CookieScheme);
        return TypedResults.Redirect("/signin");
    }

    private static async Task<IResult> YearlyCsv(string? year, string? basis, string? plan, HttpContext context, Caller caller, YearlyCounts counts,
        OrganizationClock clock, CancellationToken ct)
    {
        var y = clock.Today(caller.Organization).Year;
        if (!string.IsNullOrEmpty(year) && !DateText.TryParseYear(year, out y))
        {
            // The error page names the field (the pages' door is HTML).
            context.Items[InputGuardMiddleware.RefusedFieldItem] = ("year", $"Use a whole year from {DateText.MinYear} to {DateText.MaxYear}.");
            return TypedResults.BadRequest();
        }
        return await ReportEndpoints.WriteYearlyCsvAsync(context.Response, counts, caller, y, basis == "plan" ? "plan" : "calendar",
            string.IsNullOrEmpty(plan) ? null : plan, ct) ? TypedResults.Empty : TypedResults.NotFound();
    }

    private static async Task<IResult> ApproachingCsv(HttpContext context, Caller caller, ApproachingLimits approaching, OrganizationClock clock,
        CancellationToken ct)
    {
        var day = clock.Today(caller.Organization);
        var rows = await approaching.RunAsync(caller, day, null, ct);
        await ReportEndpoints.WriteApproachingCsvAsync(context.Response, ReportEndpoints.Select(rows!, ReportEndpoints.ToDto), day, ct);
        return TypedResults.Empty;
    }
}
