using Dapper;
using Npgsql;
using ProcedureTracker.Data.Migrations;

namespace ProcedureTracker.Data.Tests.Migrations;

public class MigrationRunnerTests
{
    [Test]
    public async Task Migrating_a_migrated_database_applies_nothing_even_from_parallel_starters()
    {
        await using var dataSource = NpgsqlDataSource.Create(TestDatabase.ConnectionString);
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => MigrationRunner.MigrateAsync(dataSource)));
        Assert.That(runs.SelectMany(r => r), Is.Empty);

        await using var connection = await dataSource.OpenConnectionAsync();
        var recorded = (await connection.QueryAsync<string>("select name from schema_migrations order by name")).ToList();
        Assert.That(recorded, Is.EqualTo(MigrationRunner.Migrations().Select(m => m.Name).ToList()));
    }

    [Test]
    public async Task Audit_log_is_append_only_and_injections_cannot_be_deleted()
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("insert into audit_log (organization_id, action, entity, entity_id) values (0, 'test', 'x', '1')", transaction: tx);
        var update = Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("update audit_log set action = 'changed'", transaction: tx));
        Assert.That(update!.MessageText, Does.Contain("append-only"));
        await tx.RollbackAsync();

        await using var tx2 = await connection.BeginTransactionAsync();
        var delete = Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "insert into organizations (code, name, time_zone) values ('del-test', 'x', 'UTC'); " +
            "insert into patients (organization_id, external_id) select id, 'p' from organizations where code = 'del-test'; " +
            "insert into injections (id, organization_id, patient_id, procedure, region, laterality, date_of_service, content_hash, recorded_at) " +
            "select gen_random_uuid(), organization_id, id, 'dry-needling', 'neck', 'none', current_date, '\\x00', now() from patients where external_id = 'p' and organization_id = (select id from organizations where code = 'del-test'); " +
            "delete from injections where organization_id = (select id from organizations where code = 'del-test')", transaction: tx2));
        Assert.That(delete!.MessageText, Does.Contain("never deleted"));
        await tx2.RollbackAsync();
    }
}
