using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using ProcedureTracker.Api.Web;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>A 403 on the machine doors says which role is needed and which the key has, in the door's error format; every 403 is audited.</summary>
public sealed class RoleNamingResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        // Every refusal of an authenticated caller is audited (a key or a person probing what its role does not open).
        if (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated == true && context.User.FindFirst(ApiKeyAuthentication.ActorIdClaim) is not null)
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
            await context.RequestServices.GetRequiredService<ProcedureTracker.Data.ReadAudit>()
                .DeniedAsync(context.RequestServices.GetRequiredService<Caller>(), context.Request.Method, route, context.RequestAborted);
        }
        if (!authorizeResult.Forbidden || !WebAuth.IsMachinePath(context.Request.Path))
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }
        var needed = policy.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct().ToList();
        var has = context.User.FindFirstValue(ClaimTypes.Role) ?? "none";
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = 403, Title = "Forbidden",
                Detail = $"This needs a key with the role {string.Join(" or ", needed)}; this key has the role {has}.",
            },
        });
    }
}
