using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using NodaTime.Testing;
using ProcedureTracker.Application.Imports;
using ProcedureTracker.Application.Injections;
using ProcedureTracker.Data;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Data.Tests;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Eligibility;

namespace ProcedureTracker.Application.Tests;

/// <summary>
/// The use cases composed as the service composes them (<see cref="UseCaseRegistration.AddTrackerUseCases"/>), over
/// the test database as the service's least-privileged role, with a <see cref="FakeClock"/> the test moves.
/// </summary>
public sealed class UseCaseHost : IAsyncDisposable
{
    private UseCaseHost(FakeClock clock, ServiceProvider services) { Clock = clock; Services = services; }

    public FakeClock Clock { get; }
    public ServiceProvider Services { get; }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public static UseCaseHost Start(Instant now)
    {
        var clock = new FakeClock(now);
        var services = new ServiceCollection()
            .AddSingleton<IClock>(clock)
            .AddSingleton(sp => new TrackerDatabase(TestDatabase.ServiceConnectionString, sp.GetRequiredService<IClock>()))
            .AddSingleton<ProcedureCatalog>(DefaultCatalog.Instance)
            .AddSingleton(new EligibilityEvaluator(DefaultCatalog.Instance))
            .AddSingleton(sp => new ServiceYears(1950, 1, sp.GetRequiredService<IClock>()))
            .AddSingleton(new ImportSettings(50, 30))
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddTrackerUseCases()
            .AddSingleton<ImportWorker>()
            .BuildServiceProvider();
        return new UseCaseHost(clock, services);
    }

    /// <summary>A fresh organization (with the default policies) and its admin, acting as <paramref name="actor"/>.</summary>
    public async Task<Caller> NewOrganizationAsync(string timeZone = "America/Chicago", Actor? actor = null)
    {
        var organization = await Get<OrganizationStore>().EnsureAsync(TestDatabase.NewOrganizationCode(), "Use-case clinic", timeZone);
        return new Caller(actor ?? new Actor.ApiKey(Guid.NewGuid()), organization, Roles.Admin);
    }

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}

[SetUpFixture]
public sealed class ApplicationTestsSetup
{
    [OneTimeSetUp]
    public Task Start() => TestDatabase.EnsureStartedAsync();

    [OneTimeTearDown]
    public Task Stop() => TestDatabase.StopAsync();
}
