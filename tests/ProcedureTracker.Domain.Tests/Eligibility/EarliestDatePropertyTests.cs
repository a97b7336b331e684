using NodaTime;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;
using static ProcedureTracker.Domain.Tests.Build;

namespace ProcedureTracker.Domain.Tests.Eligibility;

/// <summary>
/// Properties of the answer over thousands of random histories, policies with several versions, plans and dates
/// (<see cref="Scenarios"/>): seeded and reproducible, the seed named on failure. The first compares the engine day by
/// day with a naive reference; the others need no second implementation.
/// </summary>
public class EarliestDatePropertyTests
{
    private const int Cases = 2000;

    [Test]
    public void Engine_agrees_with_the_naive_reference_on_every_day_up_to_the_earliest_date() =>
        Scenarios.ForEach(400, s =>
        {
            var result = s.Evaluate();
            var last = result.EarliestEligibleDate ?? s.Ask.Date.PlusYears(EligibilityEvaluator.SearchYears);
            for (var date = s.Ask.Date; date <= last; date = date.PlusDays(1))
            {
                var moved = s.Ask with { Date = date };
                Assert.That(s.Evaluate(moved).Eligible, Is.EqualTo(Reference.Eligible(moved, s.History, s.Versions, s.Plan)),
                    $"engine and reference disagree on {date}");
            }
        });

    [Test]
    public void Breaches_on_the_day_are_the_full_answers_violations() =>
        Scenarios.ForEach(Cases, s =>
        {
            var full = s.Evaluate().Violations.Select(v => $"{v.Policy}/{v.RuleId}").ToList();
            Assert.That(Evaluator.BreachesOn(s.Ask, s.History, s.Versions, s.Plan), Is.EqualTo(full), "the import flags exactly the rules a check names");
        });

    [Test]
    public void Asking_again_on_the_earliest_eligible_date_answers_eligible() =>
        Scenarios.ForEach(Cases, s =>
        {
            var result = s.Evaluate();
            Assert.That(result.Eligible, Is.EqualTo(result.EarliestEligibleDate == s.Ask.Date), "eligible exactly when the earliest date is the asked date");
            if (result.EarliestEligibleDate is not { } earliest) return;
            var again = s.Evaluate(s.Ask with { Date = earliest });
            Assert.That(again.Eligible, Is.True, $"asked on {s.Ask.Date}: earliest {earliest}; asked on {earliest}: not eligible");
            Assert.That(again.EarliestEligibleDate, Is.EqualTo(earliest));
        });

    [Test]
    public void Every_date_between_the_asked_date_and_the_earliest_date_is_not_eligible() =>
        Scenarios.ForEach(Cases, s =>
        {
            var result = s.Evaluate();
            var last = result.EarliestEligibleDate ?? s.Ask.Date.PlusYears(EligibilityEvaluator.SearchYears).PlusDays(1);
            for (var date = s.Ask.Date; date < last; date = date.PlusDays(1))
                Assert.That(s.Evaluate(s.Ask with { Date = date }).Eligible, Is.False,
                    $"{date} is eligible but the earliest reported from {s.Ask.Date} is {result.EarliestEligibleDate?.ToString() ?? "none"}");
        });

    [Test]
    public void Each_violation_passes_on_its_own_passes_on_date_and_not_before() =>
        Scenarios.ForEach(Cases, s =>
        {
            var result = s.Evaluate();
            foreach (var violation in result.Violations)
            {
                var last = violation.PassesOn ?? s.Ask.Date.PlusYears(EligibilityEvaluator.SearchYears).PlusDays(1);
                for (var date = s.Ask.Date; date <= last && date <= s.Ask.Date.PlusYears(EligibilityEvaluator.SearchYears); date = date.PlusDays(1))
                {
                    var broken = s.Evaluate(s.Ask with { Date = date }).Violations
                        .Any(v => v.Policy == violation.Policy && v.RuleId == violation.RuleId);
                    Assert.That(broken, Is.EqualTo(date != violation.PassesOn),
                        $"rule {violation.Policy}/{violation.RuleId} on {date}; passesOn {violation.PassesOn?.ToString() ?? "none"}");
                }
            }
        });

    [Test]
    public void A_date_answered_eligible_is_accepted_by_the_record_path() =>
        Scenarios.ForEach(Cases, s =>
        {
            if (s.Evaluate().EarliestEligibleDate is not { } date) return;
            var proposal = s.Ask with { Date = date };
            // The record path reads only the history the Domain says a check needs (stores read that range, see
            // InjectionStoreTests), sorted by date, and judges it with the same versions and plan.
            var needed = EligibilityEvaluator.HistoryNeeded(date, s.Versions);
            var stored = s.History.Where(r => !r.IsVoided && needed.Contains(r.DateOfService)).OrderBy(r => r.DateOfService).ToList();
            var recorded = Evaluator.Evaluate(proposal, stored, s.Versions, s.Plan);
            Assert.That(recorded.Eligible, Is.True, $"checked eligible on {date}, refused by the record path: {string.Join("; ", recorded.Violations.Select(v => v.Message))}");
        });

    [Test]
    public void Removing_a_history_record_never_turns_an_eligible_answer_into_a_not_eligible_one() =>
        Scenarios.ForEach(Cases, s =>
        {
            if (!s.Evaluate().Eligible) return;
            for (var i = 0; i < s.History.Count; i++)
            {
                var fewer = s.History.Where((_, k) => k != i).ToList();
                Assert.That(s.Evaluate(fewer).Eligible, Is.True, $"eligible with the history, not without the record of {s.History[i].DateOfService}");
            }
        });

    [Test]
    public void Records_at_another_site_never_change_a_site_scoped_answer() =>
        Scenarios.ForEach(Cases, s =>
        {
            var before = s.Evaluate();
            var random = new Random(s.Seed);
            var elsewhere = Enumerable.Range(0, random.Next(1, 10)).Select(_ => Scenarios.RandomRecord(random))
                .Select(r => r with { Site = OtherSite(s.Ask.Site, random) }).ToList();
            var after = s.Evaluate(s.History.Concat(elsewhere));
            Assert.That(after.Eligible, Is.EqualTo(before.Eligible));
            Assert.That(after.EarliestEligibleDate, Is.EqualTo(before.EarliestEligibleDate));
            Assert.That(after.Violations.Select(v => (v.RuleId, v.PassesOn)), Is.EqualTo(before.Violations.Select(v => (v.RuleId, v.PassesOn))));
            Assert.That(after.Usage.Select(u => u.Used), Is.EqualTo(before.Usage.Select(u => u.Used)));
        }, siteScopedOnly: true);

    /// <summary>Another region, or the opposite side of the same region (left and right are the only sides that do not overlap).</summary>
    private static BodySite OtherSite(BodySite site, Random random) => site.Laterality switch
    {
        Laterality.Left when random.Next(2) == 0 => new BodySite(site.Region, Laterality.Right),
        Laterality.Right when random.Next(2) == 0 => new BodySite(site.Region, Laterality.Left),
        _ => new BodySite(site.Region == "neck" ? "lower-back" : "neck", (Laterality)random.Next(4)),
    };
}

/// <summary>Versions of a policy over time, and answers that say what they did not check (issue 8's examples).</summary>
public class PolicyVersionTests
{
    private const string Si = "sacroiliac-joint-injection";

    [Test]
    public void Earliest_date_is_judged_with_the_version_in_force_on_each_candidate_date()
    {
        var v1 = new Policy("acme-ppo", "ACME PPO", new AnnualDate(1, 1), false, null, [Rule.MinInterval("gap", ["*"], RuleScope.Patient, 182)]);
        var v2 = new Policy("acme-ppo", "ACME PPO", new AnnualDate(1, 1), false, D("2024-09-01"), [Rule.MinInterval("gap", ["*"], RuleScope.Patient, 365)]);
        var history = new[]
        {
            Rec("2024-09-25", Si, "sacroiliac", Laterality.Bilateral),
            Rec("2024-12-10", Tpi, "upper-back", Laterality.Right),
        };
        var ask = Ask("2024-08-31", Si, "sacroiliac", Laterality.Bilateral, Steroid("betamethasone", 9));

        var result = Evaluator.Evaluate(ask, history, [v1, v2], "acme-ppo");

        Assert.That(result.Eligible, Is.False);
        Assert.That(result.EarliestEligibleDate, Is.EqualTo(D("2025-12-10")));
        Assert.That(result.Violations.Single().PassesOn, Is.EqualTo(D("2025-12-10")));
        var again = Evaluator.Evaluate(ask with { Date = D("2025-12-10") }, history, [v1, v2], "acme-ppo");
        Assert.That(again.Eligible, Is.True);
        Assert.That(Evaluator.Evaluate(ask with { Date = D("2025-12-09") }, history, [v1, v2], "acme-ppo").Eligible, Is.False);
    }

    [Test]
    public void A_protocol_that_starts_later_is_met_by_the_search()
    {
        var plan = new Policy("acme-ppo", "ACME PPO", new AnnualDate(1, 1), false, null, [Rule.MinInterval("gap", [Tpi], RuleScope.Site, 30)]);
        var protocol = new Policy("safety", "Safety protocol", new AnnualDate(1, 1), true, D("2026-03-15"),
            [Rule.MinInterval("tpi-90", [Tpi], RuleScope.Patient, 90)]);
        var history = new[] { Rec("2026-03-01") };

        var result = Evaluator.Evaluate(Ask("2026-03-10"), history, [plan, protocol], "acme-ppo");

        // 30 days after 2026-03-01 is 2026-03-31, but from 2026-03-15 the protocol wants 90: 2026-05-30.
        Assert.That(result.EarliestEligibleDate, Is.EqualTo(D("2026-05-30")));
        Assert.That(result.PoliciesChecked, Is.EqualTo(new[] { "acme-ppo" }));
    }

    [Test]
    public void A_rule_dropped_by_a_later_version_passes_from_that_version_on()
    {
        var v1 = new Policy("acme-ppo", "ACME PPO", new AnnualDate(1, 1), false, null, [Rule.MaxSessions("cap", [Tpi], RuleScope.Patient, 0, RuleWindow.CalendarYear)]);
        var v2 = new Policy("acme-ppo", "ACME PPO", new AnnualDate(1, 1), false, D("2026-06-01"), [Rule.MinInterval("gap", [Esi], RuleScope.Patient, 7)]);

        var result = Evaluator.Evaluate(Ask("2026-03-10"), [], [v1, v2], "acme-ppo");

        Assert.That(result.Eligible, Is.False);
        Assert.That(result.Violations.Single().PassesOn, Is.EqualTo(D("2026-06-01")));
        Assert.That(result.EarliestEligibleDate, Is.EqualTo(D("2026-06-01")));
    }

    [Test]
    public void A_plan_with_no_version_in_force_on_the_date_is_a_warning_not_a_silent_pass()
    {
        var plan = new Policy("acme-ppo", "ACME PPO", new AnnualDate(1, 1), false, D("2026-11-22"), [Rule.MinInterval("gap", [Tpi], RuleScope.Site, 7)]);

        var result = Evaluator.Evaluate(Ask("2026-03-10"), [Rec("2026-03-05")], [plan], "acme-ppo");

        Assert.That(result.Eligible, Is.True);
        Assert.That(result.Warnings, Has.Some.EqualTo(
            "Plan 'acme-ppo' has no version in force on 2026-03-10: its rules were not checked for that date (its first version starts 2026-11-22; later dates are judged with it)."));
        Assert.That(result.PoliciesChecked, Is.Empty);
    }

    [Test]
    public void Without_a_plan_only_clinic_protocols_are_checked_and_the_answer_says_so()
    {
        var plan = new Policy("medicare-lcd", "Medicare", new AnnualDate(1, 1), false, null,
            [Rule.MaxSessions("tpi-12m", [Tpi], RuleScope.Patient, 3, RuleWindow.Rolling12Months)]);
        var history = new[] { Rec("2026-01-05"), Rec("2026-02-05"), Rec("2026-03-05") };

        var result = Evaluator.Evaluate(Ask("2026-04-10"), history, [plan], plan: null);

        Assert.That(result.Eligible, Is.True);
        Assert.That(result.Warnings, Has.Some.EqualTo("No payer plan was named or found for this patient: only the clinic protocols were checked."));
        Assert.That(Evaluator.Evaluate(Ask("2026-04-10"), history, [plan], "medicare-lcd").Eligible, Is.False);
    }

    [Test]
    public void A_first_version_without_a_date_governs_from_the_beginning_of_time()
    {
        var plan = new Policy("acme-ppo", "ACME PPO", new AnnualDate(1, 1), false, null, [Rule.MinInterval("gap", [Tpi], RuleScope.Site, 7)]);
        var result = Evaluator.Evaluate(Ask("1990-03-10"), [Rec("1990-03-05")], [plan], "acme-ppo");
        Assert.That(result.EarliestEligibleDate, Is.EqualTo(D("1990-03-12")));
    }
}
