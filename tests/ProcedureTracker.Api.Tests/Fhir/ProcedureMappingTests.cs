using System.Text.Json.Nodes;
using NodaTime;
using ProcedureTracker.Api.Fhir;
using ProcedureTracker.Application.Injections;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Domain;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Api.Tests.Fhir;

/// <summary>The FHIR Procedure mapping on its own (no HTTP, no database).</summary>
public class ProcedureMappingTests
{
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];
    private static readonly ProcedureCatalog Catalog = DefaultCatalog.Instance;

    private static JsonObject Example() => JsonNode.Parse(File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory,
        "Fhir/examples/procedure-esi.json")).Replace("Patient/p-1", "Patient/p-77"))!.AsObject();

    private static (FhirProcedure? Procedure, IDictionary<string, string[]> Errors) Map(JsonNode? resource)
    {
        var errors = new ValidationErrors();
        var procedure = ProcedureMapping.FromFhir(resource, Catalog, new ServiceYears(1950, 1, SystemClock.Instance), NewYork, errors);
        return (procedure, errors.ToDictionary());
    }

    [Test]
    public void The_example_maps_every_field_and_takes_the_date_in_the_clinic_s_zone()
    {
        var (procedure, errors) = Map(Example());

        Assert.That(errors, Is.Empty);
        var injection = procedure!.Injection!;
        Assert.That(injection.PatientId, Is.EqualTo("p-77"));
        Assert.That(injection.ExternalId, Is.EqualTo("urn:oid:2.16.840.1.113883.19.5.99999.1|PROC-ESI-0001"));
        Assert.That(injection.Clinical.Procedure.Code, Is.EqualTo("epidural-steroid-injection"));
        Assert.That(injection.Clinical.CptCode, Is.EqualTo("62323"));
        Assert.That(injection.Clinical.Site, Is.EqualTo(new BodySite("lumbar-sacral-spine", Laterality.None)));
        // 23:30 at -05:00 is 2026-03-02 in New York (it is already 03-03 in UTC).
        Assert.That(injection.Clinical.Date, Is.EqualTo(new LocalDate(2026, 3, 2)));
        Assert.That(injection.Plan, Is.EqualTo("medicare-lcd"));
        Assert.That((injection.Clinical.Steroid!.Drug, injection.Clinical.Steroid.DoseMg, injection.Clinical.Steroid.MpeMg), Is.EqualTo(("dexamethasone", 10m, 53.3m)));
        Assert.That(injection.OverLimitReason, Is.EqualTo(ProcedureMapping.OverLimitReason), "a performed procedure is stored even over a limit");
    }

    [Test]
    public void A_utc_instant_after_midnight_is_still_the_previous_day_in_new_york()
    {
        var resource = Example();
        resource["performedDateTime"] = "2026-03-06T02:30:00Z";
        Assert.That(Map(resource).Procedure!.Injection!.Clinical.Date, Is.EqualTo(new LocalDate(2026, 3, 5)));
    }

    [Test]
    public void Our_own_coding_decides_between_facet_injection_and_medial_branch_block()
    {
        var resource = Example();
        resource["code"] = JsonNode.Parse("""
            {"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"64493"},
                       {"system":"http://proceduretracker.org/fhir/CodeSystem/procedure","code":"medial-branch-block"}]}
            """);
        resource["extension"] = new JsonArray();
        Assert.That(Map(resource).Procedure!.Injection!.Clinical.Procedure.Code, Is.EqualTo("medial-branch-block"));

        resource["code"] = JsonNode.Parse("""{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"64493"}]}""");
        Assert.That(Map(resource).Procedure!.Injection!.Clinical.Procedure.Code, Is.EqualTo("facet-joint-injection"));
    }

    [TestCase("identifier", "\"PROC-1\"", "Procedure.identifier")]
    [TestCase("subject", "[1]", "Procedure.subject")]
    [TestCase("subject", "{\"reference\":\"Practitioner/9\"}", "Procedure.subject")]
    [TestCase("code", "42", "Procedure.code")]
    [TestCase("bodySite", "\"lumbar\"", "Procedure.bodySite")]
    [TestCase("performedDateTime", "\"2026-03-02T23:30:00\"", "Procedure.performed")]
    [TestCase("performedDateTime", "\"1066-10-14\"", "Procedure.performed")]
    [TestCase("status", "\"in-progress\"", "Procedure.status")]
    public void A_wrong_shape_or_value_is_an_error_naming_the_element_never_an_exception(string member, string json, string element)
    {
        var resource = Example();
        resource[member] = JsonNode.Parse(json);
        var (procedure, errors) = Map(resource);
        Assert.That(procedure, Is.Null);
        Assert.That(errors.Keys, Does.Contain(element));
    }

    [TestCase("[]")]
    [TestCase("42")]
    [TestCase("{\"resourceType\":\"Patient\"}")]
    public void Something_that_is_not_a_procedure_is_refused(string json) =>
        Assert.That(Map(JsonNode.Parse(json)).Errors.Keys, Does.Contain("Procedure"));

    [Test]
    public void A_dose_that_rounds_to_zero_mg_mpe_is_refused_on_the_steroid_element()
    {
        var resource = Example();
        resource["extension"]![1]!["extension"]![1]!["valueDecimal"] = 0.004m;
        Assert.That(Map(resource).Errors.Keys.Single(), Does.Contain("doseMg"));
    }

    [Test]
    public void Entered_in_error_needs_only_the_identifier_and_the_patient()
    {
        var resource = new JsonObject
        {
            ["resourceType"] = "Procedure", ["status"] = "entered-in-error", ["subject"] = new JsonObject { ["reference"] = "Patient/p-77" },
            ["identifier"] = new JsonArray(new JsonObject { ["system"] = "urn:x", ["value"] = "1" }),
        };
        var (procedure, errors) = Map(resource);
        Assert.That(errors, Is.Empty);
        Assert.That((procedure!.Status, procedure.ExternalId, procedure.Injection), Is.EqualTo(("entered-in-error", "urn:x|1", (NewInjection?)null)));
    }

    [Test]
    public void A_stored_record_written_as_fhir_reads_back_the_same()
    {
        var row = new InjectionRow
        {
            Id = Guid.NewGuid(), PatientId = "p-77", Procedure = "trigger-point-injection", CptCode = "20553", Region = "neck", Laterality = "left",
            SteroidDrug = "triamcinolone", SteroidDoseMg = 40, SteroidMpeMg = 40, DateOfService = new LocalDate(2026, 3, 5), Plan = "acme-ppo",
            ExternalId = "urn:x|42", Overridden = true, RecordedAt = SystemClock.Instance.GetCurrentInstant(),
        };
        var fhir = ProcedureMapping.ToFhir(row, Catalog);
        Assert.That(fhir.Get("extension")!.AsArray().Any(e => e.Str("url") == FhirTerms.OverLimitExtension), Is.True);

        var back = Map(fhir).Procedure!.Injection!;
        Assert.That((back.PatientId, back.ExternalId, back.Plan, back.Clinical.Procedure.Code, back.Clinical.CptCode),
            Is.EqualTo(("p-77", "urn:x|42", "acme-ppo", "trigger-point-injection", "20553")));
        Assert.That((back.Clinical.Site, back.Clinical.Date, back.Clinical.Steroid!.MpeMg),
            Is.EqualTo((new BodySite("neck", Laterality.Left), new LocalDate(2026, 3, 5), 40m)));
    }

    [Test]
    public void Every_region_writes_a_coded_body_site_that_reads_back_to_the_same_region()
    {
        foreach (var region in Catalog.Regions)
        {
            var row = new InjectionRow
            {
                Id = Guid.NewGuid(), PatientId = "p-78", Procedure = "trigger-point-injection", Region = region.Code, Laterality = "right",
                DateOfService = new LocalDate(2026, 3, 5), ExternalId = "urn:x|43", RecordedAt = Instant.FromUtc(2026, 3, 5, 12, 0),
            };
            var fhir = ProcedureMapping.ToFhir(row, Catalog);
            var bodySite = fhir.Get("bodySite")!.AsArray().Single();
            Assert.That(bodySite.Get("coding")!.AsArray().Count, Is.GreaterThan(0), $"{region.Code}: FHIR arrays are never empty: {bodySite!.ToJsonString()}");
            var back = Map(fhir).Procedure!.Injection!;
            Assert.That(back.Clinical.Site, Is.EqualTo(new BodySite(region.Code, Laterality.Right)), region.Code);
        }
    }
}
