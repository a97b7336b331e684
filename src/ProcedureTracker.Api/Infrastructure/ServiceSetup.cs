using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ProcedureTracker.Api.Web;
using ProcedureTracker.Application.Staff;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;
using ProcedureTracker.Api.Health;
using ProcedureTracker.Data;
using ProcedureTracker.Data.Catalog;
using ProcedureTracker.Data.Imports;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Migrations;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Data.Reports;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Eligibility;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>The catalog as loaded from the database at start-up.</summary>
public sealed class CatalogHolder
{
    public ProcedureCatalog Current { get; set; } = DefaultCatalog.Instance;
}

/// <summary>The EHRs allowed to call the CDS services with a JWT (<c>PT_CDS_ISSUERS</c>); empty means API keys only.</summary>
public sealed record CdsIssuers(IReadOnlyList<CdsIssuer> Issuers);

public static class ServiceSetup
{
    /// <summary>Registers the database, stores, engine, auth, JSON and problem details.</summary>
    public static WebApplicationBuilder AddTracker(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Request URLs carry patient ids: ASP.NET's own request logging stays below Information whatever the config says.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // No request body is larger than a FHIR batch unless its endpoint says so (the CSV import and its web upload do).
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = JsonBody.MaxBytes);
        var connectionString = builder.Configuration.GetConnectionString("Tracker")
            ?? throw new InvalidOperationException("Set ConnectionStrings__Tracker (scripts/run does this for the embedded database).");
        // Made by the container, so stopping the host disposes it and closes its pooled connections.
        var readConnectionString = builder.Configuration.GetConnectionString("TrackerRead");
        // The one clock of the service; tests replace it with NodaTime.Testing's FakeClock.
        services.AddSingleton<IClock>(NodaTime.SystemClock.Instance);
        services.AddSingleton(sp => new TrackerDatabase(connectionString, sp.GetRequiredService<IClock>(), readConnectionString));
        // The caller is read from the authenticated claims once per request; handlers and pages take it as a service.
        services.AddHttpContextAccessor();
        services.AddScoped(sp => CallerOf(sp.GetRequiredService<IHttpContextAccessor>().HttpContext?.User
            ?? throw new InvalidOperationException("A caller outside a request.")));
        services.AddTrackerUseCases();
        services.AddSingleton<CatalogHolder>();
        services.Configure<TrackerOptions>(builder.Configuration);
        var options = TrackerOptions.From(builder.Configuration);
        if (options.ServiceYearsFrom < DateText.MinYear || options.ServiceYearsAhead is < 0 or > 100)
            throw new InvalidOperationException($"PT_SERVICE_YEARS_FROM must be at least {DateText.MinYear} and PT_SERVICE_YEARS_AHEAD 0 to 100.");
        services.AddSingleton(sp => new ProcedureTracker.Application.Injections.ServiceYears(options.ServiceYearsFrom, options.ServiceYearsAhead,
            sp.GetRequiredService<IClock>()));
        services.AddSingleton(new ProcedureTracker.Application.Imports.ImportSettings(options.ImportMaxMegabytes, options.ImportStaleSeconds));
        var issuers = CdsJwt.ParseIssuers(options.CdsIssuers);
        services.AddSingleton(new CdsIssuers(issuers));
        // Links and the JWT audience come from the configured public URL, never from a Host header a client chose.
        var publicUri = options.PublicUri;
        if (publicUri is null && issuers.Count > 0)
            throw new InvalidOperationException("PT_CDS_ISSUERS is set but PT_PUBLIC_URL is not: set the URL EHRs call (the JWT audience is made from it).");
        // Without a public URL (a trial on one machine) only loopback names are served, so a forged Host cannot make links.
        services.PostConfigure<Microsoft.AspNetCore.HostFiltering.HostFilteringOptions>(o =>
        {
            if (o.AllowedHosts.Count == 0 || o.AllowedHosts.Contains("*"))
                o.AllowedHosts = publicUri is not null ? [publicUri.IdnHost] : ["localhost", "127.0.0.1", "[::1]", "::1"];
        });
        var secure = options.CookieSecurePolicy;
        services.PostConfigure<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(WebAuth.CookieScheme, o => o.Cookie.SecurePolicy = secure);
        services.PostConfigure<Microsoft.AspNetCore.Antiforgery.AntiforgeryOptions>(o => o.Cookie.SecurePolicy = secure);
        // X-Forwarded-For / -Proto believed from the configured proxies only (none by default).
        var proxies = (options.TrustedProxies ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        services.Configure<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
                o.KnownProxies.Add(System.Net.IPAddress.TryParse(proxy, out var address)
                    ? address : throw new InvalidOperationException($"PT_TRUSTED_PROXIES: '{proxy}' is not an IP address."));
        });
        services.AddTrackerHealthChecks();
        services.AddSingleton(new Throttles(options));
        Throttles.AddSignInLimits(services, options);
        services.AddHttpClient<ProcedureTracker.Api.CdsHooks.CoverageFetcher>()
            .ConfigurePrimaryHttpMessageHandler(() => ProcedureTracker.Api.CdsHooks.CoverageFetcher.CreateHandler(options.CdsFhirAllowPrivate));
        var corsOrigins = (options.CdsCorsOrigins ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        services.AddCors(o => o.AddPolicy("cds", p => p.WithOrigins(corsOrigins).AllowAnyHeader().WithMethods("GET", "POST")));
        services.AddSingleton(sp => sp.GetRequiredService<CatalogHolder>().Current);
        services.AddSingleton(sp => new EligibilityEvaluator(sp.GetRequiredService<ProcedureCatalog>()));
        services.AddHostedService<InvalidationListener>();
        services.AddHostedService<ReadAuditWriter>();

        services.Configure<JsonOptions>(o =>
        {
            // ISO yyyy-MM-dd dates and ISO-8601 instants, as NodaTime writes and reads them.
            o.SerializerOptions.Converters.Add(NodaTime.Serialization.SystemTextJson.NodaConverters.LocalDateConverter);
            o.SerializerOptions.Converters.Add(NodaTime.Serialization.SystemTextJson.NodaConverters.InstantConverter);
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never;
            // One boundary for JSON text: no NUL, control characters or unpaired surrogates; no duplicate keys.
            o.SerializerOptions.Converters.Add(new StrictStringConverter());
            o.SerializerOptions.AllowDuplicateProperties = false;
            // A member the request does not have is refused by name (a misspelt "steriod" would otherwise drop a dose the
            // limits count); it also means no byte of a body goes unread.
            o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
        });
        // Malformed bodies throw, so the exception handler can name the offending field.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // Registered before AddProblemDetails' own writer, so errors keep their door's format whatever Accept says.
        services.AddSingleton<IProblemDetailsWriter, DoorProblemWriter>();
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddTrackerAuthentication();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, RoleNamingResultHandler>();
        // One key ring for every process, in PostgreSQL (cookies, antiforgery tokens and flash messages verify anywhere).
        Microsoft.AspNetCore.DataProtection.DataProtectionBuilderExtensions.SetApplicationName(services.AddDataProtection(), "ProcedureTracker");
        services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>>(sp =>
            new Microsoft.Extensions.Options.ConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o =>
                o.XmlRepository = new DataProtectionKeyStore(sp.GetRequiredService<TrackerDatabase>())));
        services.AddRazorComponents();
        // AuthorizeView in the pages asks the same policies the endpoints use.
        services.AddCascadingAuthenticationState();
        services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(o => o.MultipartBodyLengthLimit = (long)options.ImportMaxMegabytes * 1024 * 1024 + 64 * 1024);
        services.AddHostedService<ProcedureTracker.Application.Imports.ImportWorker>();
        services.AddSingleton<WebForms>();
        services.AddHostedService<PartitionUpkeep>();
        services.AddAntiforgery(o => { o.Cookie.Name = "pt_af"; o.Cookie.SameSite = SameSiteMode.Strict; });
        services.AddAuthorization(o =>
        {
            foreach (var (permission, roles) in Roles.Permissions) o.AddPolicy(permission, p => p.RequireRole(roles));
        });
        services.AddTrackerOpenApi();
        // Metrics (the service's own, outbound calls, the runtime and Npgsql) as Prometheus text at /metrics; and when the
        // standard OTEL_EXPORTER_OTLP_ENDPOINT is set, those and traces (requests, outbound calls, SQL) over OTLP. Without a
        // collector no trace is made. ASP.NET Core's per-request metrics are left out: they cost a third of the
        // throughput of a request that does no work (scripts/load, "HTTP alone"), and pt.checks covers the hot path.
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("proceduretracker"))
            .WithMetrics(m => m.AddMeter(Telemetry.MeterName).AddHttpClientInstrumentation().AddRuntimeInstrumentation()
                .AddMeter("Npgsql").AddPrometheusExporter());
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            telemetry.WithTracing(t => Npgsql.TracerProviderBuilderExtensions.AddNpgsql(t.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation()))
                .UseOtlpExporter();
        return builder;
    }

    /// <summary>Migrates, seeds the catalog, bootstraps the admin key, and loads the catalog, before serving.</summary>
    public static async Task InitializeDatabaseAsync(this WebApplication app)
    {
        var db = app.Services.GetRequiredService<TrackerDatabase>();
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TrackerOptions>>().Value;
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Startup");
        if (options.MigrateOnStart)
        {
            // Migrations run as the schema's owner when one is configured; the service itself connects as a role that
            // may not change the schema (sql/0014_least_privilege.sql).
            var ownerConnection = app.Configuration.GetConnectionString("TrackerOwner");
            await using var owner = string.IsNullOrEmpty(ownerConnection) ? null : Npgsql.NpgsqlDataSource.Create(ownerConnection);
            var applied = await MigrationRunner.MigrateAsync(owner ?? db.DataSource);
            log.LogInformation("Migrations applied now: {Count}", applied.Count);
            await CatalogStore.SeedAsync(owner ?? db.DataSource);
            // This year's and next year's partitions before the first request (PartitionUpkeep repeats it daily).
            await db.EnsureCurrentPartitionsAsync(default);
        }
        if (options.BootstrapAdminKey is { Length: > 0 } key)
        {
            if (key.Length < 24) throw new InvalidOperationException("PT_BOOTSTRAP_ADMIN_KEY must be at least 24 characters.");
            var zone = options.BootstrapTimeZone;
            if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(zone) is null) throw new InvalidOperationException($"Unknown time zone '{zone}'.");
            var organizations = app.Services.GetRequiredService<OrganizationStore>();
            var code = options.BootstrapOrganization;
            var organization = await organizations.EnsureAsync(code, code, zone);
            await organizations.EnsureKeyAsync(organization.Id, "bootstrap admin", "admin", key);
            if (options.BootstrapAdminPassword is { Length: > 0 } password)
                await app.Services.GetRequiredService<StaffAccounts>().EnsureAdminAsync(organization, options.BootstrapAdminUser, password, default);
        }
        var known = app.Services.GetRequiredService<OrganizationStore>();
        foreach (var issuer in app.Services.GetRequiredService<CdsIssuers>().Issuers)
            await known.EnsureCdsClientAsync(Actor.IssuerId(issuer.Iss), issuer.Iss, (await known.FindAsync(issuer.Organization))?.Id);
        app.Services.GetRequiredService<CatalogHolder>().Current = await CatalogStore.LoadAsync(db.DataSource);
    }

    /// <summary>
    /// The caller of an authenticated request, from the claims its API key, JWT or session cookie gave it
    /// (<see cref="ApiKeyAuthentication.Identity"/>). Bound once per request as a scoped service.
    /// </summary>
    public static Caller CallerOf(ClaimsPrincipal user)
    {
        string Get(string type) => user.FindFirstValue(type) ?? throw new InvalidOperationException($"Missing claim {type}.");
        var id = Guid.Parse(Get(ApiKeyAuthentication.ActorIdClaim));
        // Sessions signed in before the kind was a claim are people (only the cookie door had no kind then).
        var kind = user.FindFirstValue(ApiKeyAuthentication.ActorKindClaim)
            ?? (user.Identity?.AuthenticationType == WebAuth.CookieScheme ? "person" : "key");
        var actor = Actor.Of(kind, id, kind == "ehr" ? Get(ApiKeyAuthentication.IssuerClaim) : null);
        var organization = new Organization(long.Parse(Get(ApiKeyAuthentication.OrgIdClaim)), Get(ApiKeyAuthentication.OrgCodeClaim),
            Get(ApiKeyAuthentication.TimeZoneClaim));
        return new Caller(actor, organization, Get(ClaimTypes.Role), user.FindFirstValue(ApiKeyAuthentication.DoorClaim) ?? "api");
    }
}
