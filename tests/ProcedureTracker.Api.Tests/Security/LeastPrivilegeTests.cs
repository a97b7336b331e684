using Npgsql;
using ProcedureTracker.Data.Tests;

namespace ProcedureTracker.Api.Tests.Security;

/// <summary>
/// The service's database role (every API test runs the service with it) can do what the service does and nothing that
/// rewrites history: the attack's <c>set local session_replication_role = replica; update audit_log …</c> is refused.
/// </summary>
public class LeastPrivilegeTests
{
    private static async Task<PostgresException?> AsServiceAsync(string sql, bool inTransaction = false)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ServiceConnectionString);
        await connection.OpenAsync();
        await using var tx = inTransaction ? await connection.BeginTransactionAsync() : null;
        try
        {
            await using var command = new NpgsqlCommand(sql, connection, tx);
            await command.ExecuteNonQueryAsync();
            return null;
        }
        catch (PostgresException e) { return e; }
    }

    [TestCase("set local session_replication_role = replica; update audit_log set action = 'changed' where id = (select max(id) from audit_log)", true)]
    [TestCase("set session_replication_role = replica", false)]
    [TestCase("update audit_log set action = 'changed' where id = (select max(id) from audit_log)", false)]
    [TestCase("delete from audit_log where id = (select max(id) from audit_log)", false)]
    [TestCase("delete from injections where id = (select id from injections limit 1)", false)]
    [TestCase("truncate injections", false)]
    [TestCase("alter table audit_log disable trigger all", false)]
    [TestCase("create table smuggled (x int)", false)]
    [TestCase("drop trigger audit_log_no_update on audit_log", false)]
    [TestCase("select ensure_yearly_partitions('audit_log', 'at', 1800, 1801)", false)]
    public async Task The_service_role_cannot_rewrite_or_delete_history(string sql, bool inTransaction)
    {
        var refused = await AsServiceAsync(sql, inTransaction);
        Assert.That(refused, Is.Not.Null, $"the service role ran: {sql}");
        Assert.That(refused!.SqlState, Is.AnyOf(PostgresErrorCodes.InsufficientPrivilege, "42501"), refused.MessageText);
    }

    [Test]
    public async Task Partitions_made_by_the_upkeep_give_the_service_no_rights_of_their_own()
    {
        // The upkeep runs as the owner (SECURITY DEFINER) when the service calls it; a year's partition it makes is
        // reached through its parent only.
        var year = 2090; // any year the upkeep has not made yet
        Assert.That(await AsServiceAsync($"select ensure_partitions({year}, {year})"), Is.Null, "the service may run the upkeep");
        foreach (var sql in new[] { $"update injections_{year} set plan = plan where false", $"update audit_log_{year} set action = action where false" })
            Assert.That((await AsServiceAsync(sql))?.SqlState, Is.EqualTo(PostgresErrorCodes.InsufficientPrivilege), sql);
    }

    [Test]
    public async Task The_service_role_is_not_a_superuser_and_owns_nothing()
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ServiceConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select r.rolsuper, r.rolcreaterole, r.rolcreatedb,
                   (select count(*) from pg_class c where c.relowner = r.oid), (select count(*) from pg_proc p where p.proowner = r.oid)
            from pg_roles r where r.rolname = current_user
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.That(await reader.ReadAsync());
        Assert.That((reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetInt64(3), reader.GetInt64(4)),
            Is.EqualTo((false, false, false, 0L, 0L)));
    }
}
