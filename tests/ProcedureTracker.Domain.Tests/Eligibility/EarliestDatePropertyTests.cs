using NodaTime;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;
using static ProcedureTracker.Domain.Tests.Build;

namespace ProcedureTracker.Domain.Tests.Eligibility;

/// <summary>
/// Random histories and random rule sets: the engine's verdict on every date from the asked date to the reported
/// earliest date agrees with a brute-force reference that enumerates windows day by day, the earliest date is
/// eligible, and every date before it is not.
/// </summary>
public class EarliestDatePropertyTests
{
    private static readonly string[] Procedures = [Tpi, Esi];
    private static readonly string[] Regions = ["neck", "lower-back"];

    [Test]
    public void Earliest_date_is_eligible_and_every_date_before_it_is_not([Range(0, 399)] int seed)
    {
        var random = new Random(seed);
        var start = new LocalDate(2023, 6, 1);
        var history = Enumerable.Range(0, random.Next(0, 25)).Select(_ => new InjectionRecord(
            Guid.NewGuid(), Pick(random, Procedures), new BodySite(Pick(random, Regions), (Laterality)random.Next(4)),
            random.Next(3) == 0 ? null : Steroid(random.Next(2) == 0 ? "triamcinolone" : "dexamethasone", random.Next(1, 9) * 10),
            start.PlusDays(random.Next(0, 1100)), random.Next(8) == 0)).ToList();
        var planStart = random.Next(3) == 0 ? new AnnualDate(2, 29) : new AnnualDate(random.Next(1, 13), random.Next(1, 29));
        var rules = Enumerable.Range(0, random.Next(1, 5)).Select(i => RandomRule(random, $"r{i}")).ToArray();
        var policy = new global::ProcedureTracker.Domain.Policies.Policy("p", "Plan", planStart, false, start, rules);
        var ask = new ProposedInjection(Pick(random, Procedures), new BodySite(Pick(random, Regions), (Laterality)random.Next(4)),
            random.Next(2) == 0 ? null : Steroid("triamcinolone", random.Next(1, 5) * 20), start.PlusDays(random.Next(200, 1000)));
        if (random.Next(3) == 0) // a third of the asks sit on the last days of a calendar or plan year, where windows turn over
            ask = ask with { Date = (random.Next(2) == 0 ? new AnnualDate(1, 1) : planStart).InYear(ask.Date.Year).PlusDays(-random.Next(1, 3)) };

        var result = Evaluator.Evaluate(ask, history, [policy]);
        var last = result.EarliestEligibleDate ?? ask.Date.PlusYears(EligibilityEvaluator.SearchYears);
        for (var date = ask.Date; date <= last; date = date.PlusDays(1))
        {
            var moved = ask with { Date = date };
            var engine = Evaluator.Evaluate(moved, history, [policy]).Eligible;
            var reference = Reference.Eligible(moved, history, policy);
            Assert.That(engine, Is.EqualTo(reference), $"engine and reference disagree on {date}");
            if (date == result.EarliestEligibleDate) Assert.That(engine, Is.True, $"reported earliest {date} is not eligible");
            else Assert.That(engine, Is.False, $"{date} is eligible but the reported earliest is {result.EarliestEligibleDate}");
        }
        Assert.That(result.Eligible, Is.EqualTo(result.EarliestEligibleDate == ask.Date));
    }

    private static Rule RandomRule(Random random, string id)
    {
        string[] procedures = random.Next(3) switch { 0 => [Rule.AnyProcedure], 1 => [Tpi], _ => [Tpi, Esi] };
        var scope = (RuleScope)random.Next(3);
        var window = (RuleWindow)random.Next(3);
        return random.Next(4) switch
        {
            0 => Rule.MinInterval(id, procedures, scope, random.Next(1, 120)),
            1 => Rule.MaxSessions(id, procedures, scope, random.Next(0, 5), window),
            2 => Rule.MaxSteroidSessions(id, procedures, scope, random.Next(0, 4), window),
            _ => Rule.MaxSteroidDose(id, procedures, scope, random.Next(4, 30) * 10, window),
        };
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    /// <summary>A deliberately naive restatement of DOMAIN.md: sets of sessions and every window enumerated day by day.</summary>
    private static class Reference
    {
        public static bool Eligible(ProposedInjection ask, List<InjectionRecord> history, global::ProcedureTracker.Domain.Policies.Policy policy)
        {
            foreach (var rule in policy.Rules.Where(r => r.AppliesTo(ask.Procedure)))
            {
                var steroidKind = rule.Kind is RuleKind.MaxSteroidSessions or RuleKind.MaxSteroidDose;
                if (steroidKind && ask.Steroid is null) continue;
                var relevant = history.Where(r => !r.IsVoided && rule.AppliesTo(r.Procedure) && (!steroidKind || r.Steroid is not null)
                    && rule.Scope switch
                    {
                        RuleScope.Site => r.Site.Region == ask.Site.Region && !(IsLeftRight(r.Site.Laterality, ask.Site.Laterality)),
                        RuleScope.Region => r.Site.Region == ask.Site.Region,
                        _ => true,
                    }).ToList();
                if (rule.Kind == RuleKind.MinInterval)
                {
                    if (relevant.Any(r => r.DateOfService != ask.Date && Math.Abs(Period.Between(r.DateOfService, ask.Date, PeriodUnits.Days).Days) < rule.Days))
                        return false;
                    continue;
                }
                foreach (var (from, to) in WindowsContaining(ask.Date, rule.Window!.Value, policy.PlanYearStart))
                {
                    decimal measure;
                    if (rule.Kind == RuleKind.MaxSteroidDose)
                        measure = relevant.Where(r => r.DateOfService >= from && r.DateOfService <= to).Sum(r => r.Steroid!.MpeMg) + ask.Steroid!.MpeMg;
                    else
                        measure = relevant.Where(r => r.DateOfService >= from && r.DateOfService <= to)
                            .Select(r => (r.Procedure, r.DateOfService)).Append((ask.Procedure, ask.Date)).Distinct().Count();
                    if (measure > (rule.Kind == RuleKind.MaxSteroidDose ? rule.MaxMpeMg!.Value : rule.Max!.Value)) return false;
                }
            }
            return true;
        }

        private static bool IsLeftRight(Laterality a, Laterality b) =>
            (a, b) is (Laterality.Left, Laterality.Right) or (Laterality.Right, Laterality.Left);

        private static IEnumerable<(LocalDate, LocalDate)> WindowsContaining(LocalDate date, RuleWindow window, AnnualDate planStart)
        {
            if (window == RuleWindow.Rolling12Months)
            {
                // Every window (E − 1 year, E] that contains the date, for each end E from the date on.
                for (var end = date; end.PlusYears(-1) < date; end = end.PlusDays(1))
                    yield return (end.PlusYears(-1).PlusDays(1), end);
                yield break;
            }
            var start = window == RuleWindow.CalendarYear ? new AnnualDate(1, 1) : planStart;
            var first = date;
            while (start.InYear(first.Year) != first) first = first.PlusDays(-1); // walk back to the plan year's first day
            yield return (first, start.InYear(first.Year + 1).PlusDays(-1));
        }
    }
}
