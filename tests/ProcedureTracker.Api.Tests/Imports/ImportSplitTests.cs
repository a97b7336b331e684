using ProcedureTracker.Application.Imports;
using ProcedureTracker.Data.Imports;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Domain;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Api.Tests.Imports;

/// <summary>How a batch is dealt into groups stored at once: whole patients, file order, balanced, one externalId one group.</summary>
public class ImportSplitTests
{
    private static ImportRow Row(int line, string patient, string externalId)
    {
        var errors = new ValidationErrors();
        var clinical = InjectionValidator.Validate(new ClinicalDraft("trigger-point-injection", null, "neck", "left", null, null, null, "2026-01-05"),
            DefaultCatalog.Instance, ClinicalFieldNames.Json, errors)!;
        return new ImportRow(line, new NewInjection(patient, clinical, null, externalId, null, null, null, null, null));
    }

    [Test]
    public void Each_patient_stays_whole_in_one_group_in_file_order_and_groups_are_balanced()
    {
        var random = new Random(11);
        var rows = Enumerable.Range(0, 1000).Select(i => Row(i + 2, $"p{random.Next(0, 150)}", $"x{i}")).ToList();

        var groups = ImportHistory.Split(rows, 2);

        Assert.That(groups, Has.Count.EqualTo(2));
        Assert.That(groups.SelectMany(g => g).Select(r => r.Line).Order(), Is.EqualTo(rows.Select(r => r.Line)), "every row once");
        foreach (var group in groups) Assert.That(group.Select(r => r.Line), Is.Ordered, "file order within a group");
        var patientsPerGroup = groups.Select(g => g.Select(r => r.Injection.PatientId).ToHashSet()).ToList();
        Assert.That(patientsPerGroup[0].Overlaps(patientsPerGroup[1]), Is.False, "no patient in two groups");
        Assert.That(Math.Abs(groups[0].Count - groups[1].Count), Is.LessThan(30), "balanced by rows");
    }

    [Test]
    public void An_externalId_on_two_patients_keeps_the_batch_in_one_piece_and_one_patient_is_one_piece()
    {
        var recurring = new[] { Row(2, "a", "x1"), Row(3, "b", "x2"), Row(4, "b", "x1") };
        Assert.That(ImportHistory.Split(recurring, 2).Single(), Is.EqualTo(recurring));
        var onePatient = new[] { Row(2, "a", "x1"), Row(3, "a", "x2") };
        Assert.That(ImportHistory.Split(onePatient, 4).Single(), Is.EqualTo(onePatient));
        Assert.That(ImportHistory.Split([Row(2, "a", "x1"), Row(3, "b", "x2"), Row(4, "c", "x3")], 4), Has.Count.EqualTo(3));
    }
}
