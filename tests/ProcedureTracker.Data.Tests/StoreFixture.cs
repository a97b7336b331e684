using NodaTime;
using ProcedureTracker.Application;
using ProcedureTracker.Application.Injections;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Domain;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Data.Tests;

/// <summary>The stores over the test database, and one fresh organization per test.</summary>
public abstract class StoreFixture
{
    protected TrackerDatabase Db = null!;
    protected PolicyStore Policies = null!;
    protected OrganizationStore Organizations = null!;
    protected InjectionStore Injections = null!;
    protected RecordInjection Record = null!;
    protected Organization Org = null!;
    protected static readonly Guid Actor = Guid.NewGuid();

    [SetUp]
    public async Task CreateOrganization()
    {
        Db = new TrackerDatabase(TestDatabase.ConnectionString, SystemClock.Instance);
        Policies = new PolicyStore(Db);
        Organizations = new OrganizationStore(Db, Policies, SystemClock.Instance);
        Injections = new InjectionStore(Db, Policies);
        Record = new RecordInjection(Injections, new EligibilityEvaluator(DefaultCatalog.Instance), Db);
        Org = await Organizations.EnsureAsync(TestDatabase.NewOrganizationCode(), "Test clinic", "America/Chicago");
    }

    [TearDown]
    public async Task Dispose() => await Db.DisposeAsync();

    protected static NewInjection Injection(string patient, string date, string procedure = "trigger-point-injection", string region = "neck",
        string laterality = "left", string? plan = null, string? externalId = null, string? overrideReason = null, Guid? supersedes = null,
        string? drug = null, decimal? dose = null)
    {
        var errors = new ValidationErrors();
        var clinical = InjectionValidator.Validate(new ClinicalDraft(procedure, null, region, laterality, null, drug, dose, date),
            DefaultCatalog.Instance, ClinicalFieldNames.Json, errors) ?? throw new ArgumentException(string.Join(";", errors.ToDictionary().Keys));
        return new NewInjection(patient, clinical, plan, externalId, null, null, overrideReason, null, supersedes);
    }

    /// <summary>Records through the use case every door calls, as the organization's admin.</summary>
    protected Task<RecordOutcome> RecordAsync(long org, NewInjection injection, Guid actor) =>
        Record.RunAsync(new Caller(new Actor.ApiKey(actor), Org.Id == org ? Org : Org with { Id = org }, "admin"), injection, CancellationToken.None);

    protected static LocalDate D(int y, int m, int d) => new(y, m, d);
}
