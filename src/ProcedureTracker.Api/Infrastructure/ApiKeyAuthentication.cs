using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using ProcedureTracker.Data.Organizations;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>Authenticates <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c> against the stored key hashes.</summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    OrganizationStore organizations, CdsIssuers cdsIssuers, Throttles throttles, IProblemDetailsService problems, IClock clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ActorIdClaim = "pt:key", ActorKindClaim = "pt:actor", IssuerClaim = "pt:iss";
    public const string OrgIdClaim = "pt:org", OrgCodeClaim = "pt:org-code", TimeZoneClaim = "pt:tz", DoorClaim = "pt:door";

    /// <summary>The door of a machine request by its path (the read audit names it).</summary>
    public static string DoorOf(PathString path) =>
        path.StartsWithSegments("/fhir") ? "fhir" : path.StartsWithSegments("/cds-services") ? "cds-hooks" : "api";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Anonymous endpoints (health, OpenAPI) must answer without the database, even when a key is sent.
        if (Context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null)
            return AuthenticateResult.NoResult();
        var key = Request.Headers["X-Api-Key"].FirstOrDefault();
        var authorization = Request.Headers.Authorization.FirstOrDefault();
        if (key is null && authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            key = authorization["Bearer ".Length..].Trim();
        if (string.IsNullOrEmpty(key)) return AuthenticateResult.NoResult();
        // An address that keeps sending wrong keys is not looked up again for a while (429 at the challenge).
        if (throttles.KeysExhausted(Context, out var retryAfter))
        {
            Context.Items[ThrottledItem] = retryAfter;
            return AuthenticateResult.Fail("Too many unknown keys from this address.");
        }

        var caller = cdsIssuers.Issuers.Count > 0 && Request.Path.StartsWithSegments("/cds-services") && CdsJwt.LooksLikeJwt(key)
            ? await CdsCallerAsync(key)
            : await organizations.AuthenticateAsync(key, Context.RequestAborted) is { } match
                ? new Caller(new Actor.ApiKey(match.KeyId), match.Organization, match.Role)
                : null;
        if (caller is null)
        {
            throttles.KeyFailed(Context);
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }
        var identity = Identity(caller with { Door = DoorOf(Request.Path) }, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private const string ThrottledItem = "pt:keys-throttled";

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[ThrottledItem] is not TimeSpan retryAfter) { await base.HandleChallengeAsync(properties); return; }
        Response.StatusCode = StatusCodes.Status429TooManyRequests;
        Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = 429, Title = "Too many requests with unknown API keys from this address.",
                Detail = $"Try again in {(int)Math.Ceiling(retryAfter.TotalSeconds)} seconds with a valid key.",
            },
        });
    }

    /// <summary>A CDS client authenticated by its JWT: the issuer's organization, role ehr; null when refused (logged, not answered).</summary>
    private async Task<Caller?> CdsCallerAsync(string token)
    {
        var url = TrackerOptions.PublicBase(Request) + Request.Path;
        var now = clock.GetCurrentInstant().ToDateTimeOffset();
        var serviceUrl = url.EndsWith("/feedback", StringComparison.Ordinal) ? url[..^"/feedback".Length] : url;
        var (verified, error) = CdsJwt.Verify(token, serviceUrl, cdsIssuers.Issuers, now);
        if (verified is null && url != serviceUrl) (verified, error) = CdsJwt.Verify(token, url, cdsIssuers.Issuers, now);
        if (verified is null) { Logger.LogWarning("CDS Hooks JWT refused: {Reason}", error); return null; }
        if (!await organizations.TryUseJwtIdAsync(verified.Issuer.Iss, verified.Jti, verified.Expires, Context.RequestAborted))
        {
            Logger.LogWarning("CDS Hooks JWT refused: jti replayed by {Issuer}", verified.Issuer.Iss);
            return null;
        }
        var organization = await organizations.FindAsync(verified.Issuer.Organization, Context.RequestAborted);
        if (organization is null) { Logger.LogWarning("CDS Hooks issuer {Issuer} maps to no organization", verified.Issuer.Iss); return null; }
        return new Caller(new Actor.EhrIssuer(verified.Issuer.Iss), organization, "ehr");
    }

    /// <summary>The claims of a caller (machine or person): actor id, organization, role.</summary>
    public static ClaimsIdentity Identity(Caller caller, string scheme)
    {
        List<Claim> claims =
        [
            new(ActorIdClaim, caller.ActorId.ToString()), new(ActorKindClaim, caller.Actor.Kind),
            new(OrgIdClaim, caller.Organization.Id.ToString()), new(OrgCodeClaim, caller.Organization.Code),
            new(TimeZoneClaim, caller.Organization.TimeZone), new(ClaimTypes.Role, caller.Role), new(DoorClaim, caller.Door),
        ];
        if (caller.Actor is Actor.EhrIssuer ehr) claims.Add(new Claim(IssuerClaim, ehr.Issuer));
        return new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role);
    }

}
