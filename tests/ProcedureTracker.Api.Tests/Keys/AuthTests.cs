using System.Net;
using System.Net.Http.Json;

namespace ProcedureTracker.Api.Tests.Keys;

public class AuthTests : ApiTest
{
    [Test]
    public async Task Missing_or_unknown_key_is_401_problem_json()
    {
        foreach (var client in new[] { Factory.Client(null), Factory.Client("not-a-key-of-anyone-at-all") })
        {
            var response = await client.GetAsync("/v1/procedures");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        }
    }

    [Test]
    public async Task X_Api_Key_header_works_like_bearer()
    {
        var client = Factory.Client(null);
        client.DefaultRequestHeaders.Add("X-Api-Key", Factory.AdminKey);
        Assert.That((await client.GetAsync("/v1/procedures")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("billing", "POST", "/v1/patients/p-1/injections", HttpStatusCode.Forbidden)]
    [TestCase("ehr", "POST", "/v1/patients/p-1/injections/00000000-0000-0000-0000-000000000001/void", HttpStatusCode.Forbidden)]
    [TestCase("clinician", "PUT", "/v1/policies/acme-ppo", HttpStatusCode.Forbidden)]
    [TestCase("clinician", "GET", "/v1/api-keys", HttpStatusCode.Forbidden)]
    [TestCase("billing", "GET", "/v1/policies", HttpStatusCode.OK)]
    [TestCase("ehr", "GET", "/v1/regions", HttpStatusCode.OK)]
    public async Task Roles_decide_what_a_key_may_do(string role, string method, string path, HttpStatusCode expected)
    {
        var client = await Factory.ClientWithRoleAsync(role);
        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) });
        Assert.That(response.StatusCode, Is.EqualTo(expected));
        if (expected == HttpStatusCode.Forbidden)
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task Created_key_is_shown_once_listed_without_secret_and_revoked_at_once()
    {
        var created = await Json(await Admin.PostAsJsonAsync("/v1/api-keys", new { name = "front desk", role = "clinician" }));
        var key = created.GetProperty("key").GetString()!;
        var client = Factory.Client(key);
        Assert.That((await client.GetAsync("/v1/procedures")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var list = await Admin.GetStringAsync("/v1/api-keys");
        Assert.That(list, Does.Contain("front desk"));
        Assert.That(list, Does.Not.Contain(key));

        var revoke = await Admin.DeleteAsync($"/v1/api-keys/{created.GetProperty("id").GetString()}");
        Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await client.GetAsync("/v1/procedures")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Invalid_key_request_names_the_fields()
    {
        var response = await Admin.PostAsJsonAsync("/v1/api-keys", new { name = "", role = "superuser" });
        var body = await Json(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "name", "role" }));
    }
}
