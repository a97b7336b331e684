using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ProcedureTracker.Data.Tests;

/// <summary>
/// A throwaway PostgreSQL cluster from the machine's server binaries, run as the 'postgres' user when the tests run
/// as root (the server refuses root), bound to 127.0.0.1 on a free port with its socket under its own directory.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly string _bin;

    private TestCluster(string bin, string directory, int port)
    {
        _bin = bin;
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }
    public int Port { get; }
    private string DataDir => Path.Combine(Directory, "pgdata");

    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database, Timeout = 5 }.ConnectionString;

    /// <summary>The server binaries: <c>PT_PG_BIN</c>, else the newest <c>/usr/lib/postgresql/*/bin</c>; null when none.</summary>
    public static string? FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("PT_PG_BIN") is { Length: > 0 } bin && File.Exists(Path.Combine(bin, "initdb"))) return bin;
        return System.IO.Directory.Exists("/usr/lib/postgresql")
            ? System.IO.Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
            : null;
    }

    /// <summary>Creates and starts a cluster; throws with the server's log when it cannot.</summary>
    public static async Task<TestCluster> StartNewAsync()
    {
        var bin = FindBinaries() ?? throw new InvalidOperationException(
            "No PostgreSQL server binaries found (install 'postgresql', set PT_PG_BIN, or set PT_TEST_CONNECTION).");
        var directory = Path.Combine(Path.GetTempPath(), "pt-test-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        if (IsRoot) await RunAsync("chown", "postgres", directory);
        var cluster = new TestCluster(bin, directory, FreePort());
        await cluster.RunAsPostgresAsync("initdb", "-D", cluster.DataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale");
        await cluster.StartAsync();
        return cluster;
    }

    public Task StartAsync() => RunAsPostgresAsync("pg_ctl", "-D", DataDir, "-l", Path.Combine(Directory, "postgres.log"), "-w", "-t", "60",
        "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -k {Directory} -c fsync=off -c max_connections=300", "start");

    public Task StopAsync() => RunAsPostgresAsync("pg_ctl", "-D", DataDir, "-m", "immediate", "-w", "stop");

    public async Task CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"create database \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); } catch (InvalidOperationException) { /* already stopped */ }
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task RunAsPostgresAsync(string tool, params string[] args) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args]) : RunAsync(Path.Combine(_bin, tool), args);

    private static async Task RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
