using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ProcedureTracker.Cli.Tests;

/// <summary>
/// API keys are cached in memory by every API process; a revoke on one process must stop the key on all of them within a
/// second (PostgreSQL NOTIFY), never only when a cache entry happens to expire.
/// </summary>
public class KeyRevocationTests
{
    [Test]
    public async Task A_key_revoked_on_one_process_stops_working_on_another_within_a_second()
    {
        var (second, secondUrl) = await CliHost.StartApiAsync(new Dictionary<string, string>());
        try
        {
            using var admin = new HttpClient { BaseAddress = new Uri(CliHost.Url) };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", CliHost.AdminKey);
            var created = await (await admin.PostAsJsonAsync("/v1/api-keys", new { name = "to revoke", role = "clinician" })).Content.ReadFromJsonAsync<JsonElement>();
            var (id, key) = (created.GetProperty("id").GetString(), created.GetProperty("key").GetString());

            using var onFirst = Client(CliHost.Url, key!);
            using var onSecond = Client(secondUrl, key!);
            for (var i = 0; i < 3; i++) // used, so both processes hold it in their caches
            {
                Assert.That((await onFirst.GetAsync("/v1/procedures")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That((await onSecond.GetAsync("/v1/procedures")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }

            Assert.That((await admin.DeleteAsync($"/v1/api-keys/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            var clock = Stopwatch.StartNew();
            while ((await onSecond.GetAsync("/v1/procedures")).StatusCode != HttpStatusCode.Unauthorized)
            {
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "the revoked key still works on the other process after a second");
                await Task.Delay(20);
            }
            Assert.That((await onFirst.GetAsync("/v1/procedures")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            TestContext.Out.WriteLine($"revoked key refused by the other process after {clock.ElapsedMilliseconds} ms");
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }
    }

    private static HttpClient Client(string url, string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
