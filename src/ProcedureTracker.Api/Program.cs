using ProcedureTracker.Api.Catalog;
using ProcedureTracker.Api.CdsHooks;
using ProcedureTracker.Api.Eligibility;
using ProcedureTracker.Api.Fhir;
using ProcedureTracker.Api.Health;
using ProcedureTracker.Api.Imports;
using ProcedureTracker.Api.Injections;
using ProcedureTracker.Api.Keys;
using ProcedureTracker.Api.Policies;
using ProcedureTracker.Api.Reports;

var builder = WebApplication.CreateBuilder(args);
builder.AddTracker();

var app = builder.Build();
await app.InitializeDatabaseAsync();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<InputGuardMiddleware>();
app.UseAuthentication();
app.UseAuthorization();

app.MapOpenApi().AllowAnonymous();
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

app.Run();

/// <summary>Entry point; public so the API tests can host it.</summary>
public partial class Program;
