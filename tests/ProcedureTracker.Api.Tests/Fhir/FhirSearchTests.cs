using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ProcedureTracker.Api.Tests.Fhir;

/// <summary>Procedure search as a FHIR client pages and filters it: in the database, by keyset, with every filter honoured.</summary>
public class FhirSearchTests : ApiTest
{
    private async Task<string> PatientWithHistoryAsync(int records)
    {
        var patient = NewPatient();
        for (var i = 0; i < records; i++)
        {
            // Two records a day on some days (same date, ordered by id), across two months; the last one voided.
            var date = new DateOnly(2025, 1, 10).AddDays(i / 2 * 20).ToString("yyyy-MM-dd");
            var response = await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections",
                Tpi(date, laterality: i % 2 == 0 ? "left" : "right", plan: null, @override: new { reason = "history" }));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        }
        return patient;
    }

    private async Task<JsonElement> SearchAsync(string query)
    {
        var response = await Admin.GetAsync(query.StartsWith("http", StringComparison.Ordinal) ? new Uri(query).PathAndQuery : "/fhir/Procedure?" + query);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await Json(response);
    }

    private static IEnumerable<string> Ids(JsonElement bundle) =>
        bundle.TryGetProperty("entry", out var entries) ? entries.EnumerateArray().Select(e => e.GetProperty("resource").GetProperty("id").GetString()!) : [];

    private static string? Next(JsonElement bundle) =>
        bundle.GetProperty("link").EnumerateArray().FirstOrDefault(l => l.GetProperty("relation").GetString() == "next") is { ValueKind: JsonValueKind.Object } l
            ? l.GetProperty("url").GetString() : null;

    [Test]
    public async Task Following_next_links_returns_every_record_once_in_date_order()
    {
        var patient = await PatientWithHistoryAsync(7);
        var all = await SearchAsync($"patient={patient}&_count=500");
        var seen = new List<string>();
        var pages = 0;
        for (string? link = $"patient={patient}&_count=2"; link is not null; pages++)
        {
            var page = await SearchAsync(link);
            Assert.That(page.GetProperty("total").GetInt32(), Is.EqualTo(7), "every page counts all matches");
            seen.AddRange(Ids(page));
            link = Next(page);
        }
        Assert.That(pages, Is.EqualTo(4));
        Assert.That(seen, Is.EqualTo(Ids(all).ToList()), "the pages, joined, are the whole answer in its order");
        Assert.That(seen.Distinct().Count(), Is.EqualTo(7));
    }

    [Test]
    public async Task Partial_dates_instants_status_and_code_filter_and_the_self_link_names_only_what_was_applied()
    {
        var patient = await PatientWithHistoryAsync(6); // 2025-01-10 x2, 2025-01-30 x2, 2025-02-19 x2
        var records = (await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"))).GetProperty("injections");
        var last = records[records.GetArrayLength() - 1].GetProperty("id").GetString();
        Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections/{last}/void", new { reason = "entered in error" })).IsSuccessStatusCode);

        Assert.That((await SearchAsync($"patient={patient}&date=2025-01")).GetProperty("total").GetInt32(), Is.EqualTo(4), "a month");
        Assert.That((await SearchAsync($"patient={patient}&date=gt2025-01")).GetProperty("total").GetInt32(), Is.EqualTo(2), "after January");
        Assert.That((await SearchAsync($"patient={patient}&date=ge2025-01-30T00:00:00Z")).GetProperty("total").GetInt32(), Is.EqualTo(4),
            "an instant is its date in the organization's zone");
        Assert.That((await SearchAsync($"patient={patient}&status=entered-in-error")).GetProperty("total").GetInt32(), Is.EqualTo(1));
        Assert.That((await SearchAsync($"patient={patient}&status=completed")).GetProperty("total").GetInt32(), Is.EqualTo(5));
        Assert.That((await SearchAsync($"patient={patient}&code=http://www.ama-assn.org/go/cpt|20553")).GetProperty("total").GetInt32(), Is.EqualTo(6));
        var none = await SearchAsync($"patient={patient}&code=64483&unknown=1");
        Assert.That((none.GetProperty("total").GetInt32(), none.TryGetProperty("entry", out _)), Is.EqualTo((0, false)),
            "an empty searchset has no entry array (FHIR arrays are never empty)");
        Assert.That(none.GetProperty("link")[0].GetProperty("url").GetString(), Does.EndWith($"/fhir/Procedure?patient={patient}&code=64483"),
            "the self link repeats the parameters applied, not the ignored one");

        var strict = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Procedure?patient={patient}&unknown=1");
        strict.Headers.TryAddWithoutValidation("Prefer", "handling=strict");
        var strictAnswer = await Admin.SendAsync(strict);
        Assert.That(strictAnswer.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "Prefer: handling=strict refuses what it would ignore");
        Assert.That(await strictAnswer.Content.ReadAsStringAsync(), Does.Contain("unknown"));

        var refused = await Admin.GetAsync($"/fhir/Procedure?patient={patient}&date=2025-01-30T09:00");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "an instant needs its offset");
        Assert.That((await Admin.GetAsync($"/fhir/Procedure?patient={patient}&_cursor=not-a-cursor")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Vread_gives_each_version_and_if_none_match_with_the_current_etag_answers_304()
    {
        var patient = await PatientWithHistoryAsync(1);
        var id = (await Json(await Admin.GetAsync($"/v1/patients/{patient}/injections"))).GetProperty("injections")[0].GetProperty("id").GetString();
        var first = await Admin.GetAsync($"/fhir/Procedure/{id}");
        Assert.That(first.Headers.ETag?.ToString(), Is.EqualTo("W/\"1\""));
        var cached = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Procedure/{id}");
        cached.Headers.TryAddWithoutValidation("If-None-Match", "W/\"1\"");
        Assert.That((await Admin.SendAsync(cached)).StatusCode, Is.EqualTo(HttpStatusCode.NotModified));

        Assert.That((await Admin.PostAsJsonAsync($"/v1/patients/{patient}/injections/{id}/void", new { reason = "wrong patient" })).IsSuccessStatusCode);
        var stale = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Procedure/{id}");
        stale.Headers.TryAddWithoutValidation("If-None-Match", "W/\"1\"");
        var changed = await Admin.SendAsync(stale);
        Assert.That((changed.StatusCode, changed.Headers.ETag?.ToString()), Is.EqualTo((HttpStatusCode.OK, "W/\"2\"")), "a stale ETag gets the new version");

        var v1 = await Json(await Admin.GetAsync($"/fhir/Procedure/{id}/_history/1"));
        var v2 = await Json(await Admin.GetAsync($"/fhir/Procedure/{id}/_history/2"));
        Assert.That((v1.GetProperty("status").GetString(), v1.GetProperty("meta").GetProperty("versionId").GetString()), Is.EqualTo(("completed", "1")));
        Assert.That((v2.GetProperty("status").GetString(), v2.GetProperty("meta").GetProperty("versionId").GetString()), Is.EqualTo(("entered-in-error", "2")));
        Assert.That((await Admin.GetAsync($"/fhir/Procedure/{id}/_history/3")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
