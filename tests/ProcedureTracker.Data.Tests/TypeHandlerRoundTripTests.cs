using Dapper;
using NodaTime;
using Npgsql;

namespace ProcedureTracker.Data.Tests;

/// <summary>Every NodaTime type stored, written and read back through Dapper with a non-UTC session time zone.</summary>
public class TypeHandlerRoundTripTests
{
    private static readonly string[] Zones = ["Pacific/Kiritimati", "America/Los_Angeles"];

    private static async Task<NpgsqlConnection> OpenInZoneAsync(string zone)
    {
        TypeHandlers.Register();
        var builder = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString) { Timezone = zone };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        Assert.That(await connection.ExecuteScalarAsync<string>("show timezone"), Is.EqualTo(zone));
        return connection;
    }

    [TestCaseSource(nameof(Zones))]
    public async Task LocalDate_round_trips_as_the_same_calendar_date(string zone)
    {
        await using var connection = await OpenInZoneAsync(zone);
        LocalDate[] dates = [new(2026, 1, 1), new(2024, 2, 29), new(2026, 12, 31), new(1900, 3, 1), new(2199, 7, 4)];
        foreach (var date in dates)
        {
            var back = await connection.QuerySingleAsync<LocalDate>("select @date", new { date });
            var text = await connection.QuerySingleAsync<string>("select (@date)::text", new { date });
            Assert.That(back, Is.EqualTo(date));
            Assert.That(text, Is.EqualTo(date.ToString("yyyy-MM-dd", null)), "the server sees the same date, not one shifted by the zone");
        }
    }

    [TestCaseSource(nameof(Zones))]
    public async Task Instant_round_trips_to_the_microsecond(string zone)
    {
        await using var connection = await OpenInZoneAsync(zone);
        var instant = Instant.FromUtc(2026, 3, 2, 23, 59, 58).PlusNanoseconds(123_456_000);
        var back = await connection.QuerySingleAsync<Instant>("select @instant", new { instant });
        var epoch = await connection.QuerySingleAsync<decimal>("select extract(epoch from @instant)", new { instant });
        Assert.That(back, Is.EqualTo(instant));
        Assert.That(epoch, Is.EqualTo(instant.ToUnixTimeTicks() / 10_000_000m));
    }

    [Test]
    public async Task Nullable_values_round_trip_as_null()
    {
        await using var connection = await OpenInZoneAsync("Pacific/Kiritimati");
        var row = await connection.QuerySingleAsync<(LocalDate? Date, Instant? At)>("select null::date, null::timestamptz");
        Assert.That(row.Date, Is.Null);
        Assert.That(row.At, Is.Null);
    }

    [Test]
    public async Task Stored_injection_keeps_its_date_of_service_in_a_far_east_session()
    {
        await using var connection = await OpenInZoneAsync("Pacific/Kiritimati");
        await using var tx = await connection.BeginTransactionAsync();
        var org = await connection.QuerySingleAsync<long>("insert into organizations (code, name, time_zone) values (@c, 'x', 'UTC') returning id",
            new { c = TestDatabase.NewOrganizationCode() }, tx);
        var patient = await connection.QuerySingleAsync<long>("insert into patients (organization_id, external_id) values (@org, 'p') returning id", new { org }, tx);
        var date = new LocalDate(2026, 12, 31);
        var recordedAt = Instant.FromUtc(2026, 12, 31, 23, 30);
        await connection.ExecuteAsync("""
            insert into injections (id, organization_id, patient_id, procedure, region, laterality, date_of_service, content_hash, recorded_at)
            values (@id, @org, @patient, 'trigger-point-injection', 'neck', 'left', @date, '\x00', @recordedAt)
            """, new { id = Guid.NewGuid(), org, patient, date, recordedAt }, tx);
        var back = await connection.QuerySingleAsync<(LocalDate Date, Instant At)>(
            "select date_of_service, recorded_at from injections where organization_id = @org", new { org }, tx);
        Assert.That(back, Is.EqualTo((date, recordedAt)));
        await tx.RollbackAsync();
    }
}
