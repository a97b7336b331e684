using ProcedureTracker.Api.Audit;
using ProcedureTracker.Api.Catalog;
using ProcedureTracker.Api.CdsHooks;
using ProcedureTracker.Api.Eligibility;
using ProcedureTracker.Api.Fhir;
using ProcedureTracker.Api.Health;
using ProcedureTracker.Api.Imports;
using ProcedureTracker.Api.Injections;
using ProcedureTracker.Api.Keys;
using ProcedureTracker.Api.Organizations;
using ProcedureTracker.Api.Policies;
using ProcedureTracker.Api.Reports;
using ProcedureTracker.Api.Web;

// The content root is the program's own folder, whatever directory it was started from (scripts/run starts it from
// the repository); a build serves its style sheets from the build's static web assets manifest, a publish from wwwroot.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.UseStaticWebAssets();
builder.AddTracker();

var app = builder.Build();
await app.InitializeDatabaseAsync();

// Behind a TLS proxy: the client's address and scheme from the configured proxies only (PT_TRUSTED_PROXIES).
// (Not at all without them: the middleware would believe any sender whose address it cannot see.)
if (!string.IsNullOrWhiteSpace(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TrackerOptions>>().Value.TrustedProxies))
    app.UseForwardedHeaders();
app.UseMiddleware<SecurityHeaders>();
app.UseExceptionHandler();
// Machines get problem+json (or an OperationOutcome) for every error; people get a page in the application's layout
// (400, 403, 404, 500 with the reference the log carries, 503 when the database is unreachable).
app.UseWhen(c => WebAuth.IsMachinePath(c.Request.Path), a => a.UseStatusCodePages());
app.UseWhen(c => !WebAuth.IsMachinePath(c.Request.Path), a => a
    .UseExceptionHandler(new ExceptionHandlerOptions
    {
        ExceptionHandlingPath = "/error/500",
        CreateScopeForErrors = true,
        StatusCodeSelector = e => ProblemExceptionHandler.IsDatabaseUnavailable(e) ? 503 : e is BadHttpRequestException b ? b.StatusCode : 500,
    })
    .UseStatusCodePagesWithReExecute("/error/{0}", createScopeForStatusCodePages: true));
// Routing after the error handlers, so a re-executed error page is routed to its endpoint.
app.UseRouting();
// The web page's upload may be as large as any import (Kestrel's 30 MB default holds everywhere else).
app.UseWhen(c => HttpMethods.IsPost(c.Request.Method) && c.Request.Path.StartsWithSegments("/billing/import"), a => a.Use((c, next) =>
{
    if (c.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        limit.MaxRequestBodySize = (long)c.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<TrackerOptions>>().Value.ImportMaxMegabytes * 1024 * 1024 + 64 * 1024;
    return next(c);
}));
app.UseMiddleware<InputGuardMiddleware>();
// After the input guard, which has read (and checked) a sign-in form the per-username limit partitions on.
app.UseRateLimiter();
app.UseCors();
app.UseAuthentication();
app.UseWhen(c => !WebAuth.IsMachinePath(c.Request.Path), a => a.UseMiddleware<WebSessionMiddleware>());
app.UseAuthorization();
app.UseAntiforgery();

app.MapOpenApi().AllowAnonymous();
// Counts and latencies only (no patient, no organization): what an operator's Prometheus scrapes.
app.MapPrometheusScrapingEndpoint().AllowAnonymous();
app.MapHealth();
app.MapFhir();
app.MapCdsHooks();
var v1 = app.MapGroup("/v1");
v1.MapApiKeys();
v1.MapCatalog();
v1.MapPolicies();
v1.MapInjections();
v1.MapEligibility();
v1.MapReports();
v1.MapImports();
v1.MapOrganizations();
v1.MapAudit();
app.MapWeb();
// The style sheets (wwwroot and the components' scoped CSS), fingerprinted and cached; no page needs anything else.
app.MapStaticAssets();
app.MapRazorComponents<ProcedureTracker.Api.Components.App>();

app.Run();

/// <summary>Entry point; public so the API tests can host it.</summary>
public partial class Program;
