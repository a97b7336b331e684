using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ProcedureTracker.Data.Tests;

namespace ProcedureTracker.Cli.Tests;

/// <summary>The built API running as a process on the test database, and the built <c>pt</c> run against it.</summary>
[SetUpFixture]
public sealed class CliHost
{
    private static Process? _api;
    public static string Url { get; private set; } = "";
    public static string AdminKey { get; } = "cli-admin-key-" + Guid.NewGuid().ToString("N");
    public static string OperatorKey { get; } = "cli-operator-key-" + Guid.NewGuid().ToString("N");

    public static string RepoRootPath => Repository.Root;

    [OneTimeSetUp]
    public async Task Start()
    {
        await TestDatabase.EnsureStartedAsync();
        (_api, Url) = await StartApiAsync(new Dictionary<string, string>
        {
            ["PT_BOOTSTRAP_ADMIN_KEY"] = AdminKey, ["PT_BOOTSTRAP_ORG"] = TestDatabase.NewOrganizationCode(), ["PT_OPERATOR_KEY"] = OperatorKey,
        });
    }

    /// <summary>Starts one more API process on the test database; it answers /health/ready before this returns.</summary>
    public static Task<(Process Process, string Url)> StartApiAsync(IReadOnlyDictionary<string, string> environment) => ApiProcess.StartAsync(environment);

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_api is { HasExited: false }) { _api.Kill(entireProcessTree: true); await _api.WaitForExitAsync(); }
        await TestDatabase.StopAsync();
    }

    public sealed record Run(int ExitCode, string Out, string Err);

    /// <summary>Runs <c>pt</c> with the arguments; PT_URL points at the API, PT_KEY is <paramref name="key"/>.</summary>
    public static async Task<Run> PtAsync(string? key, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Repository.Built("ProcedureTracker.Cli", "pt.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["PT_URL"] = Url;
        if (key is not null) info.Environment["PT_KEY"] = key;
        else info.Environment.Remove("PT_KEY");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Run(process.ExitCode, await stdout, await stderr);
    }
}
