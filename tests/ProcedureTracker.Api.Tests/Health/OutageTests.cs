using System.Net;
using System.Net.Http.Json;
using ProcedureTracker.Data.Tests;

namespace ProcedureTracker.Api.Tests.Health;

/// <summary>The API on a cluster of its own, stopped and restarted under it.</summary>
public class OutageTests
{
    [Test]
    public async Task Database_down_gives_503_problems_and_the_api_recovers_when_it_returns()
    {
        if (TestCluster.FindBinaries() is null)
        {
            // On a build server a missing dependency is a failure, not a skip (scripts/test installs PostgreSQL).
            if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail("No PostgreSQL server binaries on the build server.");
            Assert.Ignore("No PostgreSQL server binaries to run a cluster that can be stopped.");
        }
        await using var cluster = await TestCluster.StartNewAsync();
        await cluster.CreateDatabaseAsync("outage");
        using var factory = new ApiFactory(cluster.ConnectionString("outage"));
        var admin = factory.Admin();
        object Check() => new { patientId = "p-1", procedure = "trigger-point-injection", site = new { region = "neck" }, date = "2026-03-10" };
        Assert.That((await admin.PostAsJsonAsync("/v1/eligibility", Check())).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await admin.GetAsync("/health/ready")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await cluster.StopAsync();
        foreach (var response in new[]
                 {
                     await admin.PostAsJsonAsync("/v1/eligibility", Check()),
                     await admin.GetAsync("/v1/policies"),
                     await admin.GetAsync("/health/ready"),
                 })
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        }
        Assert.That((await admin.GetAsync("/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await cluster.StartAsync();
        Assert.That((await admin.PostAsJsonAsync("/v1/eligibility", Check())).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await admin.GetAsync("/health/ready")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
