using NodaTime;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;
using static ProcedureTracker.Domain.Tests.Build;

namespace ProcedureTracker.Domain.Tests.Eligibility;

/// <summary>Every rule kind × scope × window against one recorded session at the left neck on 2026-02-01.</summary>
public class RuleMatrixTests
{
    private static readonly AnnualDate PlanStart = new(1, 15);

    public static IEnumerable<TestCaseData> Cases()
    {
        var asks = new (string Name, string Region, Laterality Side)[]
            { ("same site", "neck", Laterality.Left), ("other side", "neck", Laterality.Right), ("other region", "shoulder", Laterality.Left) };
        foreach (var kind in Enum.GetValues<RuleKind>())
            foreach (var scope in Enum.GetValues<RuleScope>())
                foreach (var window in kind == RuleKind.MinInterval ? [(RuleWindow?)null] : Enum.GetValues<RuleWindow>().Select(w => (RuleWindow?)w))
                    foreach (var (name, region, side) in asks)
                    {
                        var blocked = name switch { "same site" => true, "other side" => scope != RuleScope.Site, _ => scope == RuleScope.Patient };
                        var earliest = !blocked ? "2026-03-10" : window switch
                        {
                            null => "2026-03-13", // 2026-02-01 + 40 days
                            RuleWindow.CalendarYear => "2027-01-01",
                            RuleWindow.PlanYear => "2027-01-15",
                            _ => "2027-02-01",
                        };
                        yield return new TestCaseData(kind, scope, window, region, side, blocked, earliest)
                            .SetName($"{kind.ToCode()}_{scope.ToCode()}_{window?.ToCode() ?? "none"}_{name.Replace(' ', '-')}");
                    }
    }

    [TestCaseSource(nameof(Cases))]
    public void Rule_blocks_exactly_the_sessions_its_scope_and_window_cover(
        RuleKind kind, RuleScope scope, RuleWindow? window, string region, Laterality side, bool blocked, string earliest)
    {
        var rule = kind switch
        {
            RuleKind.MinInterval => Rule.MinInterval("r", [Tpi], scope, 40),
            RuleKind.MaxSessions => Rule.MaxSessions("r", [Tpi], scope, 1, window!.Value),
            RuleKind.MaxSteroidSessions => Rule.MaxSteroidSessions("r", [Tpi], scope, 1, window!.Value),
            _ => Rule.MaxSteroidDose("r", [Tpi], scope, 50m, window!.Value),
        };
        var history = new[] { Rec("2026-02-01", steroid: Steroid("triamcinolone", 40)), Rec("2025-12-20", procedure: Esi, steroid: Steroid("triamcinolone", 40)) };

        var result = Check(Ask("2026-03-10", region: region, side: side, steroid: Steroid("triamcinolone", 40)), history, PolicyWith(PlanStart, rule));

        Assert.That(result.Eligible, Is.EqualTo(!blocked));
        Assert.That(result.EarliestEligibleDate, Is.EqualTo(D(earliest)));
        if (kind != RuleKind.MinInterval)
            Assert.That(result.Usage.Single().Used, Is.EqualTo(blocked ? (kind == RuleKind.MaxSteroidDose ? 40m : 1m) : 0m));
    }
}
