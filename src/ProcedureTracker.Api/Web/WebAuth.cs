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
    public const string SessionStampClaim = "pt:stamp";
    public const string SignedInAtClaim = "pt:signed-in-at";

    /// <summary>A session unused this long ends (sliding).</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromHours(2);

    /// <summary>A session ends this long after sign-in, however busy (a clinic day).</summary>
    public static readonly TimeSpan AbsoluteLifetime = TimeSpan.FromHours(12);

    private static readonly string[] MachinePrefixes = ["/v1", "/fhir", "/cds-services", "/health", "/openapi", "/metrics"];

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
                o.ExpireTimeSpan = IdleTimeout;
                o.SlidingExpiration = true;
                // A session ends at its next request when its account was disabled, changed role, changed password or
                // signed out anywhere (the stamp differs), or when it is older than the absolute lifetime.
                o.Events.OnValidatePrincipal = async context =>
                {
                    var principal = context.Principal;
                    var accounts = context.HttpContext.RequestServices.GetRequiredService<StaffAccounts>();
                    var valid = Guid.TryParse(principal?.FindFirstValue(ApiKeyAuthentication.ActorIdClaim), out var staffId)
                        && Guid.TryParse(principal?.FindFirstValue(SessionStampClaim), out var stamp)
                        && long.TryParse(principal?.FindFirstValue(SignedInAtClaim), out var signedInAt)
                        && Now(context.HttpContext) - Instant.FromUnixTimeSeconds(signedInAt) < Duration.FromTimeSpan(AbsoluteLifetime)
                        && await accounts.IsActiveAsync(staffId, principal?.FindFirstValue(ClaimTypes.Role), stamp, context.HttpContext.RequestAborted);
                    if (!valid)
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
        var identity = ApiKeyAuthentication.Identity(person.Caller with { Door = "web" }, CookieScheme);
        identity.AddClaim(new Claim(DisplayNameClaim, person.DisplayName));
        identity.AddClaim(new Claim(ClaimTypes.Name, person.Username));
        if (person.MustChangePassword) identity.AddClaim(new Claim(MustChangePasswordClaim, "true"));
        identity.AddClaim(new Claim(SessionStampClaim, person.SessionStamp.ToString()));
        // A renewed session (a password change) keeps the time of the sign-in it continues.
        var signedInAt = context.User.FindFirstValue(SignedInAtClaim) ?? Now(context).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        identity.AddClaim(new Claim(SignedInAtClaim, signedInAt));
        return context.SignInAsync(CookieScheme, new ClaimsPrincipal(identity));
    }

    private static Instant Now(HttpContext context) => context.RequestServices.GetRequiredService<IClock>().GetCurrentInstant();

    public static string DisplayName(ClaimsPrincipal user) => user.FindFirstValue(DisplayNameClaim) ?? user.Identity?.Name ?? "";
}
