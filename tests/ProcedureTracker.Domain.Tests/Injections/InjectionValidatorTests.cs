using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Domain.Tests.Injections;

public class InjectionValidatorTests
{
    private static (ClinicalFields?, IDictionary<string, string[]>) Validate(ClinicalDraft draft)
    {
        var errors = new ValidationErrors();
        var fields = InjectionValidator.Validate(draft, DefaultCatalog.Instance, ClinicalFieldNames.Json, errors);
        return (fields, errors.ToDictionary());
    }

    [Test]
    public void Valid_fields_convert_the_dose_to_mpe()
    {
        var (fields, errors) = Validate(new("epidural-steroid-injection", "62323", "lumbar-sacral-spine", "bilateral", "L4-L5", "dexamethasone", 10m, "2026-03-02"));
        Assert.That(errors, Is.Empty);
        Assert.That(fields!.Steroid!.MpeMg, Is.EqualTo(53.3m));
        Assert.That(fields.Site.Laterality, Is.EqualTo(Laterality.Bilateral));
    }

    [TestCase("acupuncture", null, "neck", null, null, null, "2026-03-02", "procedure")]
    [TestCase("trigger-point-injection", "62323", "neck", null, null, null, "2026-03-02", "cptCode")]
    [TestCase("trigger-point-injection", null, "elbowpit", null, null, null, "2026-03-02", "site.region")]
    [TestCase("trigger-point-injection", null, "neck", "up", null, null, "2026-03-02", "site.laterality")]
    [TestCase("trigger-point-injection", null, "neck", null, "cortisone", 10.0, "2026-03-02", "steroid.drug")]
    [TestCase("trigger-point-injection", null, "neck", null, "triamcinolone", 0.0, "2026-03-02", "steroid.doseMg")]
    [TestCase("trigger-point-injection", null, "neck", null, "dexamethasone", 400.0, "2026-03-02", "steroid.doseMg")]
    [TestCase("trigger-point-injection", null, "neck", null, null, null, "2026-02-30", "dateOfService")]
    [TestCase("trigger-point-injection", null, "neck", null, null, null, "03/02/2026", "dateOfService")]
    public void Invalid_field_is_named(string procedure, string? cpt, string region, string? side, string? drug, double? dose, string date, string field)
    {
        var (fields, errors) = Validate(new(procedure, cpt, region, side, null, drug, (decimal?)dose, date));
        Assert.That(fields, Is.Null);
        Assert.That(errors.Keys, Is.EqualTo(new[] { field }));
    }
}
