using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ProcedureTracker.Data.Tests;

/// <summary>The checkout the tests run in: its root, its README, and the built programs the process tests start.</summary>
public static class Repository
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    /// <summary>The folder holding ProcedureTracker.sln, above the test binaries.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ProcedureTracker.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ProcedureTracker.sln not found above the test directory.");
    }

    public static string Readme => File.ReadAllText(Path.Combine(Root, "README.md"));

    /// <summary>A built program of src/: <c>Built("ProcedureTracker.Cli", "pt.dll")</c>.</summary>
    public static string Built(string project, string dll) => Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", dll);
}

/// <summary>The built API as a process of its own on the test database (what the CLI and browser tests talk to).</summary>
public static class ApiProcess
{
    /// <summary>Starts one on a free port with these settings; it answers /health/ready before this returns.</summary>
    public static async Task<(Process Process, string Url)> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        string url;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        }
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Repository.Built("ProcedureTracker.Api", "ProcedureTracker.Api.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(url);
        // As in production: the service as its least-privileged role, migrations as the owner.
        info.Environment["ConnectionStrings__Tracker"] = TestDatabase.ServiceConnectionString;
        info.Environment["ConnectionStrings__TrackerOwner"] = TestDatabase.ConnectionString;
        foreach (var (name, value) in environment) info.Environment[name] = value;
        var api = Process.Start(info)!;
        api.OutputDataReceived += (_, _) => { };
        api.ErrorDataReceived += (_, _) => { };
        api.BeginOutputReadLine();
        api.BeginErrorReadLine();

        using var http = new HttpClient();
        for (var i = 0; i < 120; i++)
        {
            try { if ((await http.GetAsync(url + "/health/ready")).IsSuccessStatusCode) return (api, url); }
            catch (HttpRequestException) { }
            await Task.Delay(500);
        }
        api.Kill(entireProcessTree: true);
        throw new InvalidOperationException("The API did not start.");
    }
}
