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
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public static string Url { get; private set; } = "";
    public static string AdminKey { get; } = "web-admin-key-" + Guid.NewGuid().ToString("N");
    public static string AdminUser { get; } = "admin-" + Guid.NewGuid().ToString("N")[..8];
    public const string AdminPassword = "correct horse battery staple";
    public static IBrowser Browser { get; private set; } = null!;
    public static HttpClient Api { get; private set; } = null!;
    public static string OtherOrganizationPatient { get; } = "other-" + Guid.NewGuid().ToString("N")[..8];

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ProcedureTracker.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ProcedureTracker.sln not found above the test directory.");
    }

    /// <summary>Where screenshots go: artifacts/test-results/screenshots (beside the TRX files CI counts).</summary>
    public static string Screenshots
    {
        get
        {
            var dir = Path.Combine(RepoRoot(), "artifacts", "test-results", "screenshots");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    [OneTimeSetUp]
    public async Task Start()
    {
        await TestDatabase.EnsureStartedAsync();
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        }
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(RepoRoot(), "src", "ProcedureTracker.Api", "bin", Configuration, "net10.0", "ProcedureTracker.Api.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(Url);
        info.Environment["ConnectionStrings__Tracker"] = TestDatabase.ConnectionString;
        info.Environment["PT_BOOTSTRAP_ADMIN_KEY"] = AdminKey;
        info.Environment["PT_BOOTSTRAP_ADMIN_USER"] = AdminUser;
        info.Environment["PT_BOOTSTRAP_ADMIN_PASSWORD"] = AdminPassword;
        info.Environment["PT_BOOTSTRAP_ORG"] = TestDatabase.NewOrganizationCode();
        info.Environment["PT_BOOTSTRAP_TIME_ZONE"] = "America/New_York";
        _api = Process.Start(info)!;
        _api.OutputDataReceived += (_, _) => { };
        _api.ErrorDataReceived += (_, _) => { };
        _api.BeginOutputReadLine();
        _api.BeginErrorReadLine();

        Api = new HttpClient { BaseAddress = new Uri(Url) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        for (var i = 0; ; i++)
        {
            try { if ((await Api.GetAsync("/health/ready")).IsSuccessStatusCode) break; }
            catch (HttpRequestException) { }
            if (i > 120) throw new InvalidOperationException("The API did not start.");
            await Task.Delay(500);
        }

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
        await using var db = new TrackerDatabase(TestDatabase.ConnectionString);
        var organizations = new OrganizationStore(db, new PolicyStore(db));
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
