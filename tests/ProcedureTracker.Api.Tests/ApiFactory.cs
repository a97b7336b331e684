using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using ProcedureTracker.Data.Tests;

namespace ProcedureTracker.Api.Tests;

/// <summary>The real API (WebApplicationFactory) over a real PostgreSQL; one bootstrap organization per factory.</summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string> _settings;

    public ApiFactory(string connectionString, IReadOnlyDictionary<string, string>? settings = null, string? organizationCode = null)
    {
        _settings = settings ?? new Dictionary<string, string>();
        ConnectionString = connectionString;
        OrganizationCode = organizationCode ?? TestDatabase.NewOrganizationCode();
        AdminKey = "test-admin-key-" + Guid.NewGuid().ToString("N");
    }

    public string ConnectionString { get; }
    public string OrganizationCode { get; }
    public string AdminKey { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The service runs as its least-privileged role (migrations as the owner), as in production.
        var asService = ConnectionString == TestDatabase.ConnectionString;
        builder.UseSetting("ConnectionStrings:Tracker", asService ? TestDatabase.ServiceConnectionString : ConnectionString);
        if (asService) builder.UseSetting("ConnectionStrings:TrackerOwner", ConnectionString);
        builder.UseSetting("PT_BOOTSTRAP_ADMIN_KEY", AdminKey);
        builder.UseSetting("PT_BOOTSTRAP_ORG", OrganizationCode);
        builder.UseSetting("PT_BOOTSTRAP_TIME_ZONE", "America/New_York");
        foreach (var (name, value) in _settings) builder.UseSetting(name, value);
    }

    public HttpClient Client(string? key)
    {
        var client = CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public HttpClient Admin() => Client(AdminKey);

    /// <summary>Creates a key with the role through the API and returns a client using it.</summary>
    public async Task<HttpClient> ClientWithRoleAsync(string role)
    {
        var response = await Admin().PostAsJsonAsync("/v1/api-keys", new { name = role + " test", role });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return Client(body.GetProperty("key").GetString());
    }
}

[SetUpFixture]
public sealed class ApiTestsSetup
{
    [OneTimeSetUp]
    public Task Start() => TestDatabase.EnsureStartedAsync();

    [OneTimeTearDown]
    public Task Stop() => TestDatabase.StopAsync();
}

/// <summary>Each test class gets its own organization through its own factory.</summary>
public abstract class ApiTest
{
    protected ApiFactory Factory = null!;
    protected HttpClient Admin = null!;

    [OneTimeSetUp]
    public void CreateFactory()
    {
        Factory = new ApiFactory(TestDatabase.ConnectionString);
        Admin = Factory.Admin();
    }

    [OneTimeTearDown]
    public void DisposeFactory() => Factory.Dispose();

    protected static string NewPatient() => "pt-" + Guid.NewGuid().ToString("N")[..12];

    protected static async Task<JsonElement> Json(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    protected static object Tpi(string date, string region = "neck", string laterality = "right", string? plan = "acme-ppo",
        string? externalId = null, object? steroid = null, object? @override = null) =>
        new { procedure = "trigger-point-injection", cptCode = "20553", site = new { region, laterality }, steroid, dateOfService = date, plan, externalId, @override };

    protected Task<HttpResponseMessage> PutAcmeAsync(int maxPerYear = 4) => Admin.PutAsJsonAsync("/v1/policies/acme-ppo", new
    {
        name = "ACME PPO", planYearStart = "07-01", alwaysApply = false, effectiveFrom = "2020-01-01",
        rules = new object[]
        {
            new { id = "tpi-gap", kind = "min-interval", procedures = new[] { "trigger-point-injection" }, scope = "site", days = 7 },
            new { id = "tpi-year", kind = "max-sessions", procedures = new[] { "trigger-point-injection" }, scope = "patient", max = maxPerYear, window = "calendar-year" },
        },
    });
}
