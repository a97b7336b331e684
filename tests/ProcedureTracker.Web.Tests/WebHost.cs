using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using ProcedureTracker.Data;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Data.Tests;

namespace ProcedureTracker.Web.Tests;

/// <summary>
/// The built API running as a process on the test database (a fresh organization with an admin key and an admin
/// account), Debian's chromium driven by Playwright, and a second organization with a patient of its own.
/// </summary>
[SetUpFixture]
public sealed class WebHost
{
    private static Process? _api;
    private static IPlaywright? _playwright;
    public static string Url { get; private set; } = "";
    public static string AdminKey { get; } = "web-admin-key-" + Guid.NewGuid().ToString("N");
    public static string AdminUser { get; } = "admin-" + Guid.NewGuid().ToString("N")[..8];
    public const string AdminPassword = "correct horse battery staple";
    public static IBrowser Browser { get; private set; } = null!;
    public static HttpClient Api { get; private set; } = null!;
    public static string OtherOrganizationPatient { get; } = "other-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Where screenshots go: artifacts/test-results/screenshots (beside the TRX files CI counts).</summary>
    public static string Screenshots
    {
        get
        {
            var dir = Path.Combine(Repository.Root, "artifacts", "test-results", "screenshots");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    [OneTimeSetUp]
    public async Task Start()
    {
        await TestDatabase.EnsureStartedAsync();
        (_api, Url) = await ApiProcess.StartAsync(new Dictionary<string, string>
        {
            ["PT_BOOTSTRAP_ADMIN_KEY"] = AdminKey, ["PT_BOOTSTRAP_ADMIN_USER"] = AdminUser, ["PT_BOOTSTRAP_ADMIN_PASSWORD"] = AdminPassword,
            ["PT_BOOTSTRAP_ORG"] = TestDatabase.NewOrganizationCode(), ["PT_BOOTSTRAP_TIME_ZONE"] = "America/New_York",
        });
        Api = new HttpClient { BaseAddress = new Uri(Url) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        await SeedOtherOrganizationAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("PT_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A second clinic with a patient of its own, recorded through the API with that clinic's key.</summary>
    private static async Task SeedOtherOrganizationAsync()
    {
        await using var db = new TrackerDatabase(TestDatabase.ConnectionString, NodaTime.SystemClock.Instance);
        var organizations = new OrganizationStore(db, new PolicyStore(db), NodaTime.SystemClock.Instance);
        var other = await organizations.EnsureAsync(TestDatabase.NewOrganizationCode(), "Other clinic", "UTC");
        var key = "other-key-" + Guid.NewGuid().ToString("N");
        await organizations.EnsureKeyAsync(other.Id, "other admin", "admin", key);
        using var client = new HttpClient { BaseAddress = new Uri(Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var response = await client.PostAsJsonAsync($"/v1/patients/{OtherOrganizationPatient}/injections", new
        {
            procedure = "trigger-point-injection", site = new { region = "neck", laterality = "left" }, dateOfService = "2026-02-01",
        });
        response.EnsureSuccessStatusCode();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (_api is { HasExited: false }) { _api.Kill(entireProcessTree: true); await _api.WaitForExitAsync(); }
        await TestDatabase.StopAsync();
    }
}
