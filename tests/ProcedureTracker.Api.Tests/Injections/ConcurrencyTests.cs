using System.Net;
using System.Net.Http.Json;
using Dapper;
using Npgsql;
using ProcedureTracker.Data.Tests;

namespace ProcedureTracker.Api.Tests.Injections;

public class ConcurrencyTests : ApiTest
{
    [OneTimeSetUp]
    public async Task Plan() => Assert.That((await PutAcmeAsync(maxPerYear: 2)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

    private async Task<long> RowsAsync(string patient)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        return await connection.ExecuteScalarAsync<long>("""
            select count(*) from injections i join patients p on p.id = i.patient_id
            join organizations o on o.id = p.organization_id where o.code = @org and p.external_id = @patient
            """, new { org = Factory.OrganizationCode, patient });
    }

    [Test]
    public async Task Fifty_parallel_posts_with_one_session_left_store_exactly_one()
    {
        var patient = NewPatient();
        Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2026-01-10"))).StatusCode, Is.EqualTo(HttpStatusCode.Created));

        // Fifty different days in spring: each alone would be allowed, but only one session is left this year.
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Factory.Admin().PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi(new DateOnly(2026, 3, 1).AddDays(i * 2).ToString("yyyy-MM-dd")))));

        var codes = responses.GroupBy(r => r.StatusCode).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(codes, Is.EqualTo(new Dictionary<HttpStatusCode, int> { [HttpStatusCode.Created] = 1, [HttpStatusCode.UnprocessableEntity] = 49 }));
        Assert.That(await RowsAsync(patient), Is.EqualTo(2), "the first record plus exactly one new row");
    }

    [Test]
    public async Task Twenty_parallel_retries_of_one_external_id_store_one_row()
    {
        var patient = NewPatient();
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            Factory.Admin().PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2026-06-01", externalId: "retry-" + patient))));

        var ids = await Task.WhenAll(responses.Select(async r => (await Json(r)).GetProperty("id").GetString()));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Created), Is.EqualTo(1));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.OK), Is.EqualTo(19));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(1));
        Assert.That(await RowsAsync(patient), Is.EqualTo(1));
    }
}
