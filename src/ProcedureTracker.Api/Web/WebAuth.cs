using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using ProcedureTracker.Application.Staff;
using ProcedureTracker.Data.Organizations;

namespace ProcedureTracker.Api.Web;

/// <summary>
/// Which door a request comes through: machines (JSON API, FHIR, CDS Hooks, health, OpenAPI) authenticate with API keys
/// and never with a cookie (so a signed-in browser cannot be made to post to them: no CSRF there); people use the web
/// pages with a cookie session.
/// </summary>
public static class WebAuth
{
    public const string CookieScheme = "StaffCookie";
    public const string SelectorScheme = "KeyOrCookie";
    public const string DisplayNameClaim = "pt:name";
    public const string MustChangePasswordClaim = "pt:must-change-password";

    private static readonly string[] MachinePrefixes = ["/v1", "/fhir", "/cds-services", "/health", "/openapi"];

    public static bool IsMachinePath(PathString path) => MachinePrefixes.Any(p => path.StartsWithSegments(p));

    public static AuthenticationBuilder AddTrackerAuthentication(this IServiceCollection services) =>
        services.AddAuthentication(o => { o.DefaultScheme = SelectorScheme; o.DefaultChallengeScheme = SelectorScheme; })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null)
            .AddCookie(CookieScheme, o =>
            {
                o.LoginPath = "/signin";
                o.LogoutPath = "/signout";
                o.AccessDeniedPath = "/denied";
                o.Cookie.Name = "pt_session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                // A disabled account's session ends at its next request.
                o.Events.OnValidatePrincipal = async context =>
                {
                    var id = context.Principal?.FindFirstValue(ApiKeyAuthentication.KeyIdClaim);
                    var accounts = context.HttpContext.RequestServices.GetRequiredService<StaffAccounts>();
                    if (!Guid.TryParse(id, out var staffId) || !await accounts.IsActiveAsync(staffId, context.Principal?.FindFirstValue(ClaimTypes.Role), context.HttpContext.RequestAborted))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(CookieScheme);
                    }
                };
            })
            .AddPolicyScheme(SelectorScheme, "API key for machines, cookie for people",
                o => o.ForwardDefaultSelector = context => IsMachinePath(context.Request.Path) ? ApiKeyAuthentication.SchemeName : CookieScheme);

    /// <summary>Signs a person in: the same claims an API key gives (organization, role, actor), plus their name.</summary>
    public static Task SignInAsync(HttpContext context, SignInOutcome.SignedIn person)
    {
        var identity = ApiKeyAuthentication.Identity(person.Caller, CookieScheme);
        identity.AddClaim(new Claim(DisplayNameClaim, person.DisplayName));
        identity.AddClaim(new Claim(ClaimTypes.Name, person.Username));
        if (person.MustChangePassword) identity.AddClaim(new Claim(MustChangePasswordClaim, "true"));
        return context.SignInAsync(CookieScheme, new ClaimsPrincipal(identity));
    }

    public static string DisplayName(ClaimsPrincipal user) => user.FindFirstValue(DisplayNameClaim) ?? user.Identity?.Name ?? "";
}
