using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime;
using NodaTime.Text;
using ProcedureTracker.Api.Infrastructure;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Domain;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Api.Policies;

public static class PolicyEndpoints
{
    public static void MapPolicies(this IEndpointRouteBuilder v1)
    {
        var group = v1.MapGroup("/policies").WithTags("Policies");
        group.MapPut("/{code}", Put).RequireAuthorization(Roles.Admin);
        group.MapGet("/", List).RequireAuthorization(Roles.Read);
        group.MapGet("/{code}", Get).RequireAuthorization(Roles.Read);
    }

    private static async Task<Results<Ok<PolicyResponse>, ValidationProblem>> Put(string code, PolicyRequest? request, ClaimsPrincipal user,
        PolicyStore policies, ProcedureCatalog catalog, IClock clock, CancellationToken ct)
    {
        var caller = ApiKeyAuthentication.CallerOf(user);
        var validated = PolicyValidator.Validate(code, request?.ToDraft(), catalog);
        if (validated.Value is not { } policy) return Problems.Invalid(validated.Errors!);
        var stored = await policies.PutAsync(caller.Organization.Id, policy, clock.Today(caller.Organization), caller.KeyId, ct);
        return TypedResults.Ok(stored.ToResponse());
    }

    private static async Task<Results<Ok<IEnumerable<PolicyResponse>>, ValidationProblem>> List(string? asOf, ClaimsPrincipal user,
        PolicyStore policies, IClock clock, CancellationToken ct)
    {
        var caller = ApiKeyAuthentication.CallerOf(user);
        if (ParseAsOf(asOf, clock.Today(caller.Organization)) is not { } date) return Problems.Invalid("asOf", DateText.Message);
        var versions = await policies.ListAsync(caller.Organization.Id, date, ct);
        return TypedResults.Ok(versions.Select(v => v.ToResponse()));
    }

    private static async Task<Results<Ok<PolicyResponse>, ValidationProblem, ProblemHttpResult>> Get(string code, string? asOf, ClaimsPrincipal user,
        PolicyStore policies, IClock clock, CancellationToken ct)
    {
        var caller = ApiKeyAuthentication.CallerOf(user);
        if (ParseAsOf(asOf, clock.Today(caller.Organization)) is not { } date) return Problems.Invalid("asOf", DateText.Message);
        return await policies.GetAsync(caller.Organization.Id, code, date, ct) is { } version
            ? TypedResults.Ok(version.ToResponse())
            : Problems.NotFound($"No version of policy '{code}' is in force on {LocalDatePattern.Iso.Format(date)}.");
    }

    private static LocalDate? ParseAsOf(string? asOf, LocalDate today) =>
        asOf is null ? today : DateText.TryParse(asOf, out var date) ? date : null;
}
