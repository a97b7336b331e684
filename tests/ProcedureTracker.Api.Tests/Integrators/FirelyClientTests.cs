using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Task = System.Threading.Tasks.Task;

namespace ProcedureTracker.Api.Tests.Integrators;

/// <summary>
/// Firely's FhirClient with its strict parser, as an EHR integrator runs it against /fhir: every answer must parse
/// strictly (an empty array, a malformed instant or an unknown element would throw) and each interaction must behave
/// as the FHIR REST API says.
/// </summary>
public class FirelyClientTests : ApiTest
{
    private const string LateralityUrl = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier";

    private BaseFhirClient Client() =>
        new FhirClient(new Uri(Admin.BaseAddress!, "/fhir/"), Admin, new FhirClientSettings { PreferredFormat = ResourceFormat.Json })
            .WithStrictSerializer();

    private static Procedure Tpi(string patient, string date, string identifier, string snomedRegion = "45048000") => new()
    {
        Status = EventStatus.Completed,
        Subject = new ResourceReference($"Patient/{patient}"),
        Code = new CodeableConcept("http://www.ama-assn.org/go/cpt", "20553"),
        Performed = new FhirDateTime(date),
        BodySite =
        [
            new CodeableConcept("http://snomed.info/sct", snomedRegion)
            {
                Extension = [new Extension(LateralityUrl, new CodeableConcept("http://snomed.info/sct", "7771000"))],
            },
        ],
        Identifier = [new Identifier("urn:oid:2.16.840.1.113883.19.5.99999.1", identifier)],
    };

    [Test]
    public async Task Create_conditional_create_read_vread_search_batch_and_transaction_parse_strictly()
    {
        var client = Client();
        var patient = NewPatient();
        var capabilities = await client.CapabilityStatementAsync();
        Assert.That(capabilities!.Rest[0].Resource.Single(r => r.Type == "Procedure").Interaction.Select(i => i.Code),
            Is.SupersetOf(new[] { CapabilityStatement.TypeRestfulInteraction.Read, CapabilityStatement.TypeRestfulInteraction.Vread }));

        var created = await client.CreateAsync(Tpi(patient, "2026-02-10", $"{patient}-1"));
        Assert.That((created!.Id, created.Meta?.VersionId, created.Status), Is.Not.EqualTo((null as string, null as string, (EventStatus?)null)));
        var again = await client.ConditionalCreateAsync(Tpi(patient, "2026-02-10", $"{patient}-1"),
            new SearchParams().Add("identifier", $"urn:oid:2.16.840.1.113883.19.5.99999.1|{patient}-1"));
        Assert.That(again!.Id, Is.EqualTo(created.Id), "a retried conditional create finds the first");

        var read = await client.ReadAsync<Procedure>($"Procedure/{created.Id}");
        var vread = await client.ReadAsync<Procedure>($"Procedure/{created.Id}/_history/1");
        Assert.That((read!.Meta!.VersionId, vread!.Meta!.VersionId, vread.Status), Is.EqualTo(("1", "1", (EventStatus?)EventStatus.Completed)));

        foreach (var (date, n) in new[] { ("2026-02-20", 2), ("2026-03-05", 3), ("2026-04-01", 4) })
            await client.CreateAsync(Tpi(patient, date, $"{patient}-{n}", snomedRegion: "16982005"));

        // Paging by next links: every record once.
        var ids = new List<string>();
        for (var page = await client.SearchAsync<Procedure>(new SearchParams().Add("patient", patient).LimitTo(3)); page is not null;
             page = await client.ContinueAsync(page))
            ids.AddRange(page.Entry.Select(e => e.Resource!.Id!));
        Assert.That(ids.Distinct().Count(), Is.EqualTo(4));
        Assert.That(ids, Has.Count.EqualTo(4));

        async Task<int?> Total(params (string Name, string Value)[] parameters)
        {
            var search = new SearchParams();
            foreach (var (name, value) in parameters) search.Add(name, value);
            return (await client.SearchAsync<Procedure>(search))!.Total;
        }
        Assert.That(await Total(("subject", $"Patient/{patient}")), Is.EqualTo(4));
        Assert.That(await Total(("patient", patient), ("_id", created.Id!)), Is.EqualTo(1));
        Assert.That(await Total(("patient", patient), ("date", "2026-02")), Is.EqualTo(2), "a partial date");
        Assert.That(await Total(("patient", patient), ("date", "ge2026-03-01T00:00:00Z")), Is.EqualTo(2), "a dateTime");
        Assert.That(await Total(("patient", patient), ("code", "http://www.ama-assn.org/go/cpt|20553")), Is.EqualTo(4));
        Assert.That(await Total(("patient", patient), ("status", "entered-in-error")), Is.EqualTo(0));
        var empty = await client.SearchAsync<Procedure>(new SearchParams().Add("patient", NewPatient()));
        Assert.That((empty!.Total, empty.Entry.Count), Is.EqualTo((0, 0)), "an empty searchset parses strictly");

        foreach (var type in new[] { Bundle.BundleType.Batch, Bundle.BundleType.Transaction })
        {
            var bundle = new TransactionBuilder(client.Endpoint, type)
                .Create(Tpi(patient, "2026-05-01", $"{patient}-{type}-a")).Create(Tpi(patient, "2026-05-20", $"{patient}-{type}-b")).ToBundle();
            var answer = await client.TransactionAsync(bundle);
            Assert.That(answer!.Entry.Select(e => e.Response!.Status![..3]), Is.EqualTo(new[] { "201", "201" }), type.ToString());
        }
        Assert.That(await Total(("patient", patient)), Is.EqualTo(8));
    }
}
