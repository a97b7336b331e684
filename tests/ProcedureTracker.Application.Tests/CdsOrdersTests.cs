using NodaTime;
using ProcedureTracker.Application.CdsHooks;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Application.Tests;

/// <summary>The CDS use case decides which plan an answer may be attributed to, from the Coverage the door read.</summary>
public class CdsOrdersTests
{
    private static CdsOrder Tpi(LocalDate date) =>
        new(DefaultCatalog.Instance.FindProcedure("trigger-point-injection")!, new BodySite("neck", Laterality.Left), date);

    [Test]
    public async Task Only_a_coverage_plan_the_clinic_has_is_a_payer_answer_and_a_free_text_plan_is_never_refused()
    {
        await using var host = UseCaseHost.Start(Instant.FromUtc(2026, 6, 1, 12, 0));
        var ehr = await host.NewOrganizationAsync();
        var evaluate = host.Get<EvaluateCdsOrders>();
        var order = Tpi(new LocalDate(2026, 6, 1));

        var known = (await evaluate.RunAsync(ehr, "cds-1", new CdsCoverage("cov-1", "medicare-lcd", null), [order], CancellationToken.None)).Single();
        Assert.That((known.PayerPlan, known.NotChecked, known.Result.Plan), Is.EqualTo(("medicare-lcd", (string?)null, "medicare-lcd")));

        var freeText = (await evaluate.RunAsync(ehr, "cds-1", new CdsCoverage("cov-2", "Medicare Part A", null), [order], CancellationToken.None)).Single();
        Assert.That(freeText.PayerPlan, Is.Null);
        Assert.That(freeText.NotChecked, Is.EqualTo("The payer's limits were not checked: the Coverage plan 'Medicare Part A' is not a plan this clinic has."));

        var none = (await evaluate.RunAsync(ehr, "cds-1", CdsCoverage.None("no Coverage was prefetched and the EHR's server did not answer"), [order],
            CancellationToken.None)).Single();
        Assert.That(none.Result.Warnings, Has.Some.EqualTo("The payer's limits were not checked: no Coverage was prefetched and the EHR's server did not answer."));
    }
}
