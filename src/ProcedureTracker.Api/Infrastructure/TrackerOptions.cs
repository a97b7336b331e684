using Microsoft.Extensions.Configuration;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>
/// The service's settings, bound once from configuration (environment variables named as in README.md); services take
/// <c>IOptions&lt;TrackerOptions&gt;</c> instead of reading <c>PT_*</c> keys themselves.
/// </summary>
public sealed class TrackerOptions
{
    /// <summary>
    /// The service's public base URL as clients reach it (e.g. https://tracker.example.org). The CDS Hooks JWT audience,
    /// FHIR <c>Location</c> and <c>fullUrl</c>, and card links are made from it, and only its host is served
    /// (<c>AllowedHosts</c>). Required when CDS issuers are configured.
    /// </summary>
    [ConfigurationKeyName("PT_PUBLIC_URL")]
    public string? PublicUrl { get; set; }

    /// <summary>Addresses of the reverse proxies whose X-Forwarded-For / -Proto are believed, comma-separated; none means none.</summary>
    [ConfigurationKeyName("PT_TRUSTED_PROXIES")]
    public string? TrustedProxies { get; set; }

    /// <summary>True to let the CDS services fetch Coverage from an allow-listed server on a loopback or private address (a trial EHR).</summary>
    [ConfigurationKeyName("PT_CDS_FHIR_ALLOW_PRIVATE")]
    public bool CdsFhirAllowPrivate { get; set; }

    /// <summary>Sign-in posts allowed per client address per minute.</summary>
    [ConfigurationKeyName("PT_SIGN_INS_PER_ADDRESS_PER_MINUTE")]
    public int SignInsPerAddressPerMinute { get; set; } = 30;

    /// <summary>Sign-in posts allowed per username per minute (the account locks after 5 wrong passwords anyway).</summary>
    [ConfigurationKeyName("PT_SIGN_INS_PER_ACCOUNT_PER_MINUTE")]
    public int SignInsPerAccountPerMinute { get; set; } = 10;

    /// <summary>Requests with an unknown or revoked API key allowed per client address per minute; then 429.</summary>
    [ConfigurationKeyName("PT_FAILED_KEYS_PER_MINUTE")]
    public int FailedKeysPerMinute { get; set; } = 30;

    /// <summary>Seconds without a heartbeat after which a running import job counts as abandoned (its process died) and is resumed.</summary>
    [ConfigurationKeyName("PT_IMPORT_STALE_SECONDS")]
    public int ImportStaleSeconds { get; set; } = 30;

    /// <summary>The first year a stored date of service may have (every recording door).</summary>
    [ConfigurationKeyName("PT_SERVICE_YEARS_FROM")]
    public int ServiceYearsFrom { get; set; } = 1950;

    /// <summary>How many years past this one a stored date of service may be.</summary>
    [ConfigurationKeyName("PT_SERVICE_YEARS_AHEAD")]
    public int ServiceYearsAhead { get; set; } = 1;

    /// <summary>Largest CSV import accepted, in megabytes, on every import door (50 by default).</summary>
    [ConfigurationKeyName("PT_IMPORT_MAX_MB")]
    public int ImportMaxMegabytes { get; set; } = 50;

    /// <summary>False to leave migrations to <c>pt migrate</c>.</summary>
    [ConfigurationKeyName("PT_MIGRATE_ON_START")]
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>An admin key to ensure at start (at least 24 characters).</summary>
    [ConfigurationKeyName("PT_BOOTSTRAP_ADMIN_KEY")]
    public string? BootstrapAdminKey { get; set; }

    /// <summary>Username of the bootstrap admin account for people (web application).</summary>
    [ConfigurationKeyName("PT_BOOTSTRAP_ADMIN_USER")]
    public string BootstrapAdminUser { get; set; } = "admin";

    /// <summary>Password of the bootstrap admin account (at least 15 characters, not easily guessed); no account is made without it.</summary>
    [ConfigurationKeyName("PT_BOOTSTRAP_ADMIN_PASSWORD")]
    public string? BootstrapAdminPassword { get; set; }

    /// <summary>The organization the bootstrap key belongs to.</summary>
    [ConfigurationKeyName("PT_BOOTSTRAP_ORG")]
    public string BootstrapOrganization { get; set; } = "default";

    /// <summary>IANA time zone of a bootstrap organization created now.</summary>
    [ConfigurationKeyName("PT_BOOTSTRAP_TIME_ZONE")]
    public string BootstrapTimeZone { get; set; } = "UTC";

    /// <summary>JSON list of EHRs allowed to call the CDS services with a JWT.</summary>
    [ConfigurationKeyName("PT_CDS_ISSUERS")]
    public string? CdsIssuers { get; set; }

    /// <summary>Browser origins of EHRs allowed to call the CDS services (CORS), comma-separated, e.g. https://sandbox.cds-hooks.org.</summary>
    [ConfigurationKeyName("PT_CDS_CORS_ORIGINS")]
    public string? CdsCorsOrigins { get; set; }

    /// <summary>FHIR server base URLs this service may fetch Coverage from when a CDS call has no prefetch, comma-separated.</summary>
    [ConfigurationKeyName("PT_CDS_FHIR_SERVERS")]
    public string? CdsFhirServers { get; set; }

    /// <summary>The operator's key (at least 24 characters) for creating organizations; none means the door is closed.</summary>
    [ConfigurationKeyName("PT_OPERATOR_KEY")]
    public string? OperatorKey { get; set; }

    /// <summary>
    /// The service's base URL as clients reach it: <see cref="PublicUrl"/> when set (always in production), else the
    /// request's own scheme, host and path base (a trial on one machine). The one place absolute links (FHIR Location and
    /// fullUrl, card links) and the CDS Hooks JWT audience are made from.
    /// </summary>
    public static string PublicBase(HttpRequest request) =>
        request.HttpContext.RequestServices.GetService<Microsoft.Extensions.Options.IOptions<TrackerOptions>>()?.Value.PublicUri?.AbsoluteUri.TrimEnd('/')
        ?? $"{request.Scheme}://{request.Host}{request.PathBase}";

    /// <summary>The parsed <see cref="PublicUrl"/>, or null when none is set.</summary>
    public Uri? PublicUri => string.IsNullOrWhiteSpace(PublicUrl) ? null : ParsePublicUrl(PublicUrl);

    /// <summary>Cookies are Secure whenever clients reach the service over https (its public URL), not only on https requests (a TLS proxy talks http).</summary>
    public CookieSecurePolicy CookieSecurePolicy => PublicUri?.Scheme == "https" ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;

    /// <summary>An absolute http(s) URL without query, fragment or user-info.</summary>
    /// <exception cref="InvalidOperationException">It is not one.</exception>
    public static Uri ParsePublicUrl(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Query.Length > 0
            || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw new InvalidOperationException($"PT_PUBLIC_URL must be an absolute http(s) URL without query or user-info, e.g. https://tracker.example.org; got '{text}'.");
        return uri;
    }

    public static TrackerOptions From(IConfiguration configuration) => configuration.Get<TrackerOptions>() ?? new TrackerOptions();
}
