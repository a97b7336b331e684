using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace ProcedureTracker.Api.Tests.Health;

/// <summary>What an operator's Prometheus scrapes at /metrics: the service's checks, their latency, and no patient.</summary>
public class MetricsTests : ApiTest
{
    private async Task<string> ScrapeAsync()
    {
        var response = await Factory.Client(null).GetAsync("/metrics");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsStringAsync();
    }

    private static double Count(string text, string outcome) =>
        Regex.Matches(text, $@"^pt_checks(?:_total)?\{{[^}}]*outcome=""{outcome}""[^}}]*\}} (\d+)", RegexOptions.Multiline)
            .Sum(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

    [Test]
    public async Task A_check_is_counted_with_its_outcome_and_its_latency_and_no_patient_id_appears()
    {
        var patient = NewPatient();
        var before = Count(await ScrapeAsync(), "eligible");
        var answer = await Admin.PostAsJsonAsync("/v1/eligibility", new
        {
            patientId = patient, procedure = "trigger-point-injection", site = new { region = "neck", laterality = "left" }, date = "2026-03-10",
        });
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // The exporter reads the meters when scraped; a few tries cover its collection cache.
        string text = "";
        for (var i = 0; i < 20 && Count(text, "eligible") <= before; i++)
        {
            if (i > 0) await Task.Delay(500);
            text = await ScrapeAsync();
        }
        Assert.That(Count(text, "eligible"), Is.GreaterThan(before), "the check is counted");
        Assert.That(text, Does.Contain("pt_check_duration"), "check latency is a histogram");
        Assert.That(text, Does.Not.Contain(patient), "metrics never name a patient");
    }
}
