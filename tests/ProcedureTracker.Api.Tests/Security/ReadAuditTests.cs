using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ProcedureTracker.Api.Tests.Security;

/// <summary>Reads of health data leave a trail an admin can read (issue 21): who read which patient, through which door.</summary>
public class ReadAuditTests : ApiTest
{
    private async Task<JsonElement[]> TrailAsync(string query, Func<JsonElement[], bool> until)
    {
        // Reads are written in batches a moment later.
        for (var i = 0; ; i++)
        {
            var response = await Admin.GetAsync("/v1/audit?" + query);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
            var entries = (await Json(response)).GetProperty("entries").EnumerateArray().ToArray();
            if (until(entries) || i == 50) return entries;
            await Task.Delay(100);
        }
    }

    [Test]
    public async Task A_read_of_a_patient_s_history_leaves_an_entry_naming_the_reader_and_the_door()
    {
        Assert.That((await PutAcmeAsync()).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var patient = NewPatient();
        Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections", Tpi("2026-03-01"))).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var reader = await Factory.ClientWithRoleAsync("clinician");

        Assert.That((await reader.GetAsync($"/v1/patients/{patient}/injections")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await reader.GetAsync($"/fhir/Procedure?patient={patient}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var trail = await TrailAsync($"patientId={patient}&action=read", e => e.Length >= 2);
        var doors = trail.Select(e => e.GetProperty("detail").GetProperty("door").GetString()).ToList();
        Assert.That(doors, Is.SupersetOf(new[] { "api", "fhir" }));
        Assert.That(trail.Select(e => e.GetProperty("actor").GetString()), Is.All.EqualTo("key: clinician test"), "the reader is named, not only an id");

        var all = await TrailAsync($"patientId={patient}", e => e.Any(x => x.GetProperty("action").GetString() == "record"));
        Assert.That(all.Select(e => e.GetProperty("action").GetString()), Does.Contain("record"), "the patient's trail has the writes of its records");
    }

    [Test]
    public async Task A_report_export_is_audited_with_its_parameters()
    {
        var billing = await Factory.ClientWithRoleAsync("billing");
        Assert.That((await billing.GetAsync("/v1/reports/yearly-counts?year=2026&format=csv")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var trail = await TrailAsync("action=export&entity=report&entityId=yearly-counts", e => e.Length >= 1);
        Assert.That(trail, Is.Not.Empty);
        Assert.That(trail[0].GetProperty("detail").GetProperty("parameters").GetProperty("format").GetString(), Is.EqualTo("csv"));
        Assert.That(trail[0].GetProperty("actor").GetString(), Is.EqualTo("key: billing test"));
    }

    [Test]
    public async Task Every_actor_in_the_trail_resolves_to_a_name()
    {
        var trail = await TrailAsync("limit=1000", _ => true);
        Assert.That(trail, Is.Not.Empty);
        Assert.That(trail.Select(e => e.GetProperty("actor").GetString()), Has.None.EqualTo("unknown actor"));
    }

    [Test]
    public async Task The_trail_is_for_admins_and_refuses_bad_filters_by_name()
    {
        var clinician = await Factory.ClientWithRoleAsync("clinician");
        Assert.That((await clinician.GetAsync("/v1/audit")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var denied = await TrailAsync("action=forbidden&entity=endpoint&entityId=" + Uri.EscapeDataString("GET /v1/audit"), e => e.Length >= 1);
        Assert.That(denied.Select(e => e.GetProperty("actor").GetString()), Does.Contain("key: clinician test"), "a 403 is audited, naming who was refused");
        var bad = await Admin.GetAsync("/v1/audit?from=yesterday&limit=0");
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var errors = (await Json(bad)).GetProperty("errors");
        Assert.That(errors.TryGetProperty("from", out _) && errors.TryGetProperty("limit", out _));
    }
}
