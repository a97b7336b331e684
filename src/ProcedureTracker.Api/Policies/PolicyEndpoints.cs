using ProcedureTracker.Application.Policies;

namespace ProcedureTracker.Api.Policies;

/// <summary>The JSON door to policies: each PUT adds a version; reads answer the versions in force on a date.</summary>
public static class PolicyEndpoints
{
    public static void MapPolicies(this IEndpointRouteBuilder v1)
    {
        var group = v1.MapGroup("/policies").WithTags("Policies");
        group.MapPut("/{code}", Put)
            .WithName("putPolicy").WithSummary("Add a policy version")
            .WithDescription("Admin only. Stores the next version; without effectiveFrom a first version applies from the beginning, a later one from today.").RequireAuthorization(Permission.Admin)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(ProcedureTracker.Domain.Policies.PolicyValidator.MaxBytes))
            .AddEndpointFilter(async (context, next) =>
                context.HttpContext.Request.ContentLength > ProcedureTracker.Domain.Policies.PolicyValidator.MaxBytes
                    ? Problems.TooLarge($"A policy is at most {ProcedureTracker.Domain.Policies.PolicyValidator.MaxBytes / 1024} KB of JSON (at most {ProcedureTracker.Domain.Policies.PolicyValidator.MaxRules} rules).")
                    : await next(context));
        group.MapGet("/", List)
            .WithName("listPolicies").WithSummary("Policies in force")
            .WithDescription("Every policy's version in force on asOf (default today).").RequireAuthorization(Permission.Read);
        group.MapGet("/{code}", Get)
            .WithName("getPolicy").WithSummary("One policy")
            .WithDescription("The version in force on asOf (default today).").RequireAuthorization(Permission.Read);
    }

    private static async Task<Results<Ok<PolicyResponse>, ValidationProblem>> Put(string code, PolicyRequest? request, Caller caller,
        PutPolicy put, CancellationToken ct)
    {
        if (request?.Code is { } bodyCode && bodyCode != code)
            return Problems.Invalid("code", $"The body's code '{bodyCode}' differs from the URL's '{code}'.");
        var (stored, errors) = await put.RunAsync(caller, code, request?.ToDraft(), ct);
        return stored is null ? Problems.Invalid(errors!) : TypedResults.Ok(stored.ToResponse());
    }

    private static async Task<Results<Ok<IEnumerable<PolicyResponse>>, ValidationProblem>> List(string? asOf, Caller caller,
        ReadPolicies policies, CancellationToken ct)
    {
        if (!TryAsOf(asOf, out var date)) return Problems.Invalid("asOf", DateText.Message);
        var versions = await policies.ListAsync(caller, date, ct);
        return TypedResults.Ok(versions.Select(v => v.ToResponse()));
    }

    private static async Task<Results<Ok<PolicyResponse>, ValidationProblem, ProblemHttpResult>> Get(string code, string? asOf, Caller caller,
        ReadPolicies policies, CancellationToken ct)
    {
        if (!TryAsOf(asOf, out var date)) return Problems.Invalid("asOf", DateText.Message);
        return await policies.GetAsync(caller, code, date, ct) is { } version
            ? TypedResults.Ok(version.ToResponse())
            : Problems.NotFound($"No version of policy '{code}' is in force on {(date is { } d ? LocalDatePattern.Iso.Format(d) : "today")}.");
    }

    /// <summary>A missing asOf means today (the use case knows the organization's today).</summary>
    private static bool TryAsOf(string? asOf, out LocalDate? date)
    {
        date = null;
        if (asOf is null) return true;
        if (!DateText.TryParse(asOf, out var parsed)) return false;
        date = parsed;
        return true;
    }
}
