using System.Net;
using System.Net.Http.Json;

namespace ProcedureTracker.Api.Tests.Policies;

public class PolicyAndCatalogTests : ApiTest
{
    [Test]
    public async Task Catalog_lists_every_contract_procedure_and_region()
    {
        var procedures = (await Json(await Admin.GetAsync("/v1/procedures"))).EnumerateArray().Select(p => p.GetProperty("code").GetString()).ToList();
        var regions = (await Json(await Admin.GetAsync("/v1/regions"))).EnumerateArray().Select(p => p.GetProperty("code").GetString()).ToList();
        Assert.That(procedures, Is.SupersetOf(new[] { "trigger-point-injection", "epidural-steroid-injection", "facet-joint-injection",
            "medial-branch-block", "radiofrequency-ablation", "sacroiliac-joint-injection", "joint-injection", "prp-injection", "nerve-block", "dry-needling" }));
        Assert.That(regions, Is.SupersetOf(new[] { "head-jaw", "neck", "shoulder", "upper-back", "lower-back", "hip", "buttock", "knee", "elbow",
            "wrist-hand", "ankle-foot", "cervical-thoracic-spine", "lumbar-sacral-spine", "sacroiliac" }));
    }

    [Test]
    public async Task Put_creates_versions_and_get_answers_the_version_in_force()
    {
        var code = "plan-" + Guid.NewGuid().ToString("N")[..8];
        object Body(int max, string from) => new
        {
            name = "Plan", effectiveFrom = from,
            rules = new[] { new { id = "cap", kind = "max-sessions", procedures = new[] { "*" }, scope = "patient", max, window = "rolling-12-months" } },
        };
        var v1 = await Json(await Admin.PutAsJsonAsync($"/v1/policies/{code}", Body(2, "2025-01-01")));
        var v2 = await Json(await Admin.PutAsJsonAsync($"/v1/policies/{code}", Body(5, "2026-07-01")));
        Assert.That((v1.GetProperty("version").GetInt32(), v2.GetProperty("version").GetInt32()), Is.EqualTo((1, 2)));
        Assert.That(v1.GetProperty("planYearStart").GetString(), Is.EqualTo("01-01"));

        var june = await Json(await Admin.GetAsync($"/v1/policies/{code}?asOf=2026-06-30"));
        var july = await Json(await Admin.GetAsync($"/v1/policies/{code}?asOf=2026-07-01"));
        Assert.That(june.GetProperty("rules")[0].GetProperty("max").GetInt32(), Is.EqualTo(2));
        Assert.That(july.GetProperty("rules")[0].GetProperty("max").GetInt32(), Is.EqualTo(5));
        Assert.That((await Admin.GetAsync($"/v1/policies/{code}?asOf=2024-12-31")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await Admin.GetAsync($"/v1/policies/{code}?asOf=2026-02-30")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Invalid_rules_are_a_400_naming_each_field_and_nothing_is_stored()
    {
        var response = await Admin.PutAsJsonAsync("/v1/policies/broken", new
        {
            name = "Broken",
            rules = new object[]
            {
                new { id = "a", kind = "max-everything", procedures = new[] { "*" }, scope = "patient" },
                new { id = "b", kind = "max-sessions", procedures = new[] { "acupuncture" }, scope = "planet", max = -1, window = "rolling-12-months" },
            },
        });
        var body = await Json(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(body.GetProperty("errors").EnumerateObject().Select(p => p.Name),
            Is.EquivalentTo(new[] { "rules[0].kind", "rules[1].procedures[0]", "rules[1].scope", "rules[1].max" }));
        Assert.That((await Admin.GetAsync("/v1/policies/broken")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Wrong_json_type_is_a_400_naming_the_field()
    {
        var response = await Admin.PutAsync("/v1/policies/typed", new StringContent(
            """{"name":"T","rules":[{"id":"a","kind":"max-sessions","procedures":["*"],"scope":"patient","max":"four","window":"calendar-year"}]}""",
            System.Text.Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await Json(response)).GetProperty("errors").EnumerateObject().Single().Name, Is.EqualTo("rules[0].max"));
    }

    [Test]
    public async Task Default_policies_are_listed_for_every_role()
    {
        var billing = await Factory.ClientWithRoleAsync("billing");
        var codes = (await Json(await billing.GetAsync("/v1/policies"))).EnumerateArray().Select(p => p.GetProperty("code").GetString());
        Assert.That(codes, Is.SupersetOf(new[] { "medicare-lcd", "clinic-steroid-protocol" }));
    }
}
