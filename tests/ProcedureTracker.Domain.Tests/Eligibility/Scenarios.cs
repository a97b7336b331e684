using NodaTime;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;
using static ProcedureTracker.Domain.Tests.Build;

namespace ProcedureTracker.Domain.Tests.Eligibility;

/// <summary>One random question: a history, policies with several versions, the plan named (or none) and the proposal.</summary>
internal sealed record Scenario(int Seed, List<InjectionRecord> History, List<Policy> Versions, string? Plan, ProposedInjection Ask)
{
    public const string PlanCode = "plan";
    public const string ProtocolCode = "protocol";

    public EligibilityResult Evaluate() => Evaluator.Evaluate(Ask, History, Versions, Plan);
    public EligibilityResult Evaluate(ProposedInjection ask) => Evaluator.Evaluate(ask, History, Versions, Plan);
    public EligibilityResult Evaluate(IEnumerable<InjectionRecord> history) => Evaluator.Evaluate(Ask, history, Versions, Plan);

    public override string ToString() => $"seed {Seed}";
}

/// <summary>
/// Random scenarios, reproducible from a seed. Property tests run many seeds from a base that <c>PT_PROPERTY_SEED</c>
/// may set (to replay one failure: its seed is in the failure message).
/// </summary>
internal static class Scenarios
{
    private static readonly string[] Procedures = [Tpi, Esi];
    private static readonly string[] Regions = ["neck", "lower-back"];
    private static readonly string[] Drugs = ["triamcinolone", "dexamethasone", "betamethasone", "prednisolone"];
    public static readonly LocalDate Start = new(2023, 6, 1);

    /// <summary>The first seed of a run: <c>PT_PROPERTY_SEED</c> when set, else 0.</summary>
    public static int BaseSeed => int.TryParse(Environment.GetEnvironmentVariable("PT_PROPERTY_SEED"), out var s) ? s : 0;

    /// <summary>Runs <paramref name="check"/> over <paramref name="count"/> seeds; a failure names the seed that made it.</summary>
    public static void ForEach(int count, Action<Scenario> check, bool siteScopedOnly = false)
    {
        var first = BaseSeed;
        for (var seed = first; seed < first + count; seed++)
        {
            var scenario = Generate(seed, siteScopedOnly);
            try { check(scenario); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new AssertionException($"Property failed for seed {seed} (replay: PT_PROPERTY_SEED={seed}): {e.Message}", e);
            }
        }
    }

    public static Scenario Generate(int seed, bool siteScopedOnly = false)
    {
        var random = new Random(seed);
        var history = Enumerable.Range(0, random.Next(0, 20)).Select(_ => RandomRecord(random)).ToList();

        var versions = new List<Policy>();
        versions.AddRange(RandomVersions(random, Scenario.PlanCode, alwaysApply: false, random.Next(1, 4), siteScopedOnly));
        versions.AddRange(RandomVersions(random, Scenario.ProtocolCode, alwaysApply: true, random.Next(0, 3), siteScopedOnly));
        if (random.Next(4) == 0) // a policy that is neither the plan nor a protocol: it must never be checked
            versions.AddRange(RandomVersions(random, "other", alwaysApply: false, 1, siteScopedOnly));
        var plan = random.Next(5) == 0 ? null : Scenario.PlanCode;

        var ask = new ProposedInjection(Pick(random, Procedures), new BodySite(Pick(random, Regions), (Laterality)random.Next(4)),
            random.Next(2) == 0 ? null : Steroid("triamcinolone", random.Next(1, 5) * 20), Start.PlusDays(random.Next(200, 1000)));
        if (random.Next(3) == 0) // a third of the asks sit on the last days of a year, where windows turn over
            ask = ask with { Date = new AnnualDate(random.Next(2) == 0 ? 1 : 7, 1).InYear(ask.Date.Year).PlusDays(-random.Next(1, 3)) };
        else if (random.Next(3) == 0 && versions.Count > 1) // others on the eve of a version change
            ask = ask with { Date = versions[random.Next(versions.Count)].EffectiveFrom?.PlusDays(-random.Next(1, 3)) ?? ask.Date };
        return new Scenario(seed, history, versions, plan, ask);
    }

    public static InjectionRecord RandomRecord(Random random) => new(
        Guid.NewGuid(), Pick(random, Procedures), new BodySite(Pick(random, Regions), (Laterality)random.Next(4)),
        random.Next(3) == 0 ? null : Steroid(Pick(random, Drugs), random.Next(1, 9) * 5),
        Start.PlusDays(random.Next(0, 1100)), random.Next(8) == 0);

    /// <summary>
    /// Versions of one policy: the first from the beginning of time or a date, later ones on random later dates (two may
    /// share a date: the later wins). Rule ids come from a small pool, so versions change, keep and drop the same rule.
    /// </summary>
    private static IEnumerable<Policy> RandomVersions(Random random, string code, bool alwaysApply, int count, bool siteScopedOnly)
    {
        var dates = Enumerable.Range(0, count).Select(_ => Start.PlusDays(random.Next(0, 1500))).Order().ToList();
        for (var v = 0; v < count; v++)
        {
            LocalDate? from = v == 0 && random.Next(2) == 0 ? null : dates[v];
            var planStart = random.Next(4) == 0 ? new AnnualDate(2, 29) : new AnnualDate(random.Next(1, 13), random.Next(1, 29));
            var ids = Enumerable.Range(0, 4).Where(_ => random.Next(2) == 0).Select(i => $"r{i}").DefaultIfEmpty("r0");
            var rules = ids.Select(id => RandomRule(random, id, siteScopedOnly)).ToList();
            // A protocol's versions may stop (or start) applying to every patient.
            var always = alwaysApply && (v == 0 || random.Next(5) != 0);
            yield return new Policy(code, code.ToUpperInvariant(), planStart, always, from, rules);
        }
    }

    private static Rule RandomRule(Random random, string id, bool siteScopedOnly)
    {
        string[] procedures = random.Next(3) switch { 0 => [Rule.AnyProcedure], 1 => [Tpi], _ => [Tpi, Esi] };
        var scope = siteScopedOnly ? RuleScope.Site : (RuleScope)random.Next(3);
        var window = (RuleWindow)random.Next(3);
        return random.Next(4) switch
        {
            0 => Rule.MinInterval(id, procedures, scope, random.Next(1, 200)),
            1 => Rule.MaxSessions(id, procedures, scope, random.Next(0, 5), window),
            2 => Rule.MaxSteroidSessions(id, procedures, scope, random.Next(0, 4), window),
            _ => Rule.MaxSteroidDose(id, procedures, scope, random.Next(4, 30) * 10, window),
        };
    }

    public static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}

/// <summary>
/// A deliberately naive restatement of DOMAIN.md: for the asked date, each policy's version in force on that date
/// (the latest by date, ties to the later one), then sets of sessions and every window enumerated day by day.
/// </summary>
internal static class Reference
{
    public static bool Eligible(ProposedInjection ask, IReadOnlyList<InjectionRecord> history, IReadOnlyList<Policy> versions, string? plan)
    {
        foreach (var code in versions.Select(v => v.Code).Distinct())
        {
            var inForce = versions.Where(v => v.Code == code && v.StartsBy(ask.Date))
                .OrderBy(v => v.EffectiveFrom ?? LocalDate.MinIsoValue).LastOrDefault();
            if (inForce is null || !(inForce.AlwaysApply || inForce.Code == plan)) continue;
            if (!Eligible(ask, history, inForce)) return false;
        }
        return true;
    }

    public static bool Eligible(ProposedInjection ask, IReadOnlyList<InjectionRecord> history, Policy policy)
    {
        foreach (var rule in policy.Rules.Where(r => r.AppliesTo(ask.Procedure)))
        {
            var steroidKind = rule.Kind is RuleKind.MaxSteroidSessions or RuleKind.MaxSteroidDose;
            if (steroidKind && ask.Steroid is null) continue;
            var relevant = history.Where(r => !r.IsVoided && rule.AppliesTo(r.Procedure) && (!steroidKind || r.Steroid is not null)
                && rule.Scope switch
                {
                    RuleScope.Site => r.Site.Region == ask.Site.Region && !IsLeftRight(r.Site.Laterality, ask.Site.Laterality),
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
