using Npgsql;
using ProcedureTracker.Data.Catalog;
using ProcedureTracker.Data.Migrations;

namespace ProcedureTracker.Data.Tests;

/// <summary>
/// One migrated database per test run: the one <c>PT_TEST_CONNECTION</c> names (it wins), otherwise a throwaway
/// cluster started here. Tests keep apart by using their own organizations and patient ids.
/// </summary>
public static class TestDatabase
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static TestCluster? _cluster;
    private static string? _connectionString;

    public static string ConnectionString => _connectionString ?? throw new InvalidOperationException("TestDatabase.EnsureStartedAsync was not called.");

    /// <summary>True when the run started its own cluster (so tests may stop and restart a cluster of their own too).</summary>
    public static bool OwnsCluster => _cluster is not null;

    /// <summary>
    /// The same database as the least-privileged role the service runs as in production (a member of
    /// proceduretracker_service, made by the migrations): API tests run the service with it, migrations with the owner.
    /// </summary>
    public static string ServiceConnectionString => _serviceConnectionString ?? throw new InvalidOperationException("TestDatabase.EnsureStartedAsync was not called.");

    private static string? _serviceConnectionString;

    public const string ServiceRole = "pt_test_service";

    public static async Task EnsureStartedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_connectionString is not null) return;
            var connectionString = Environment.GetEnvironmentVariable("PT_TEST_CONNECTION");
            if (string.IsNullOrEmpty(connectionString))
            {
                _cluster = await TestCluster.StartNewAsync();
                await _cluster.CreateDatabaseAsync("tracker_test");
                connectionString = _cluster.ConnectionString("tracker_test");
            }
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            await MigrationRunner.MigrateAsync(dataSource);
            await CatalogStore.SeedAsync(dataSource);
            await using (var command = dataSource.CreateCommand($"""
                do $$ begin
                    if not exists (select from pg_roles where rolname = '{ServiceRole}') then
                        create role {ServiceRole} login password 'service-test-password' in role proceduretracker_service;
                    end if;
                end $$;
                """))
                await command.ExecuteNonQueryAsync();
            _serviceConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { Username = ServiceRole, Password = "service-test-password" }.ConnectionString;
            _connectionString = connectionString;
        }
        finally { Gate.Release(); }
    }

    public static async Task StopAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        _cluster = null;
        _connectionString = null;
        _serviceConnectionString = null;
    }

    /// <summary>A fresh organization code for one test.</summary>
    public static string NewOrganizationCode() => "t-" + Guid.NewGuid().ToString("N")[..16];
}

[SetUpFixture]
public sealed class DataTestsSetup
{
    [OneTimeSetUp]
    public Task Start() => TestDatabase.EnsureStartedAsync();

    [OneTimeTearDown]
    public Task Stop() => TestDatabase.StopAsync();
}
