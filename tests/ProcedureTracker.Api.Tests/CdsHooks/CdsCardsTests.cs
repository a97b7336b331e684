using System.Text.Json.Nodes;
using NodaTime;
using ProcedureTracker.Api.CdsHooks;
using ProcedureTracker.Api.Fhir;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Api.Tests.CdsHooks;

/// <summary>The CDS card builder and the CRD coverage-information extension on their own, from real engine answers.</summary>
public class CdsCardsTests
{
    private const string Tpi = "trigger-point-injection";
    private static readonly EligibilityEvaluator Evaluator = new(DefaultCatalog.Instance);
    private static readonly Policy Plan = new("acme-ppo", "ACME PPO", new AnnualDate(1, 1), false, null,
    [
        Rule.MaxSessions("tpi-year", [Tpi], RuleScope.Patient, 2, RuleWindow.CalendarYear),
        Rule.MinInterval("tpi-gap", [Tpi], RuleScope.Site, 7),
    ]);

    private static EligibilityResult Answer(string date, params string[] history) => Evaluator.Evaluate(
        new ProposedInjection(Tpi, new BodySite("neck", Laterality.Right), null, LocalDate.FromDateTime(DateTime.Parse(date))),
        history.Select(d => new InjectionRecord(Guid.NewGuid(), Tpi, new BodySite("neck", Laterality.Right), null, LocalDate.FromDateTime(DateTime.Parse(d)))).ToList(),
        [Plan], "acme-ppo");

    [Test]
    public void Not_eligible_is_a_critical_card_with_the_earliest_date_usage_and_override_reasons()
    {
        var card = CdsCards.Card(Answer("2026-06-01", "2026-02-01", "2026-05-01"), "Trigger point injection")!;

        Assert.That(card.Str("indicator"), Is.EqualTo("critical"));
        Assert.That(card.Str("summary"), Is.EqualTo("Not eligible until 2027-01-01: 2 of 2 sessions used this year (acme-ppo)"));
        Assert.That(card.Str("summary")!.Length, Is.LessThan(CdsCards.SummaryLimit));
        Assert.That(card.Get("source").Get("topic").Str("code"), Is.EqualTo("limits"));
        Assert.That(card.Array("overrideReasons").Select(r => r.Str("code")), Does.Contain("prior-authorization"));
        Assert.That(card.Str("detail"), Does.Contain("acme-ppo/tpi-year: 2 of 2 sessions (2026-01-01 to 2026-12-31)"));
    }

    [Test]
    public void The_last_allowed_session_is_a_warning_card_and_a_free_one_is_no_card()
    {
        var last = CdsCards.Card(Answer("2026-06-01", "2026-02-01"), "Trigger point injection")!;
        Assert.That(last.Str("indicator"), Is.EqualTo("warning"));
        Assert.That(last.Str("summary"), Does.StartWith("This is the last trigger point injection session acme-ppo allows"));

        Assert.That(CdsCards.Card(Answer("2026-06-01"), "Trigger point injection"), Is.Null);
    }

    [Test]
    public void Eligible_without_any_plan_is_an_info_card_saying_what_was_not_checked()
    {
        var result = Evaluator.Evaluate(new ProposedInjection(Tpi, new BodySite("neck", Laterality.Right), null, new LocalDate(2026, 6, 1)), [], [Plan], plan: null);
        var card = CdsCards.Card(result, "Trigger point injection")!;
        Assert.That(card.Str("indicator"), Is.EqualTo("info"));
        Assert.That(card.Str("summary"), Is.EqualTo("Eligible on 2026-06-01, but not every limit was checked"), "short and whole");
        Assert.That(card.Str("detail"), Does.Contain("only the clinic protocols were checked"), "the reason is in the detail");
    }

    [Test]
    public void Coverage_information_carries_covered_or_not_and_the_plan_s_frequency_limit()
    {
        var today = new LocalDate(2026, 5, 30);
        var blocked = CdsCards.CoverageInformation(Answer("2026-06-01", "2026-02-01", "2026-05-01"), "acme-ppo", "cov-1", today);
        Assert.That(blocked.Str("url"), Is.EqualTo(FhirTerms.CoverageInformation));
        var parts = blocked.Array("extension").ToList();
        Assert.That(parts.Single(e => e.Str("url") == "covered").Str("valueCode"), Is.EqualTo("not-covered"));
        Assert.That(parts.Single(e => e.Str("url") == "coverage").Get("valueReference").Str("reference"), Is.EqualTo("Coverage/cov-1"));
        Assert.That(parts.Single(e => e.Str("url") == "date").Str("valueDate"), Is.EqualTo("2026-05-30"));
        var quantity = parts.Where(e => e.Str("url") == "detail").SelectMany(d => d.Array("extension")).Single(e => e.Str("url") == "value" && e.Get("valueQuantity") is not null);
        Assert.That(quantity.Get("valueQuantity")!["value"]!.GetValue<decimal>(), Is.EqualTo(0m), "what remains of the cap (2 of 2 used)");

        var free = CdsCards.CoverageInformation(Answer("2026-06-01"), "acme-ppo", null, today);
        Assert.That(free.Array("extension").Single(e => e.Str("url") == "covered").Str("valueCode"), Is.EqualTo("covered"));
        Assert.That(free.Array("extension").Any(e => e.Str("url") == "coverage"), Is.False);
    }

    [Test]
    public void A_long_reason_is_cut_to_the_summary_limit()
    {
        var wordy = new Policy("a-very-long-plan-code-that-goes-on-and-on-and-on", "Plan", new AnnualDate(1, 1), false, null,
            [Rule.MaxSessions("a-rule-id-that-is-also-rather-long-for-a-summary-line-of-text", [Tpi], RuleScope.Patient, 0, RuleWindow.Rolling12Months)]);
        var result = Evaluator.Evaluate(new ProposedInjection(Tpi, new BodySite("neck", Laterality.Right), null, new LocalDate(2026, 6, 1)), [], [wordy],
            "a-very-long-plan-code-that-goes-on-and-on-and-on");
        var summary = CdsCards.Card(result, "Trigger point injection")!.Str("summary")!;
        Assert.That(summary.Length, Is.LessThan(CdsCards.SummaryLimit));
    }
}
