using BenchmarkDotNet.Attributes;
using NodaTime;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Benchmarks;

/// <summary>One evaluation of a patient with 200 history records under 10 rules (issue 2's target: median under 20 µs).</summary>
[MemoryDiagnoser, MedianColumn]
public class EligibilityBenchmarks
{
    private readonly EligibilityEvaluator _evaluator = new(DefaultCatalog.Instance);
    private List<InjectionRecord> _history = [];
    private List<InjectionRecord> _unsorted = [];
    private Policy[] _policies = [];
    private ProposedInjection _eligible = null!;
    private ProposedInjection _blocked = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        string[] procedures = ["trigger-point-injection", "epidural-steroid-injection", "facet-joint-injection", "joint-injection"];
        string[] regions = ["neck", "lower-back", "shoulder", "lumbar-sacral-spine"];
        var start = new LocalDate(2021, 6, 15); // five years of history before the asked date, 40 records a year
        _history = Enumerable.Range(0, 200).Select(i => new InjectionRecord(Guid.NewGuid(), procedures[random.Next(4)],
            new BodySite(regions[random.Next(4)], (Laterality)random.Next(4)),
            random.Next(2) == 0 ? null : SteroidUse.Of(DefaultCatalog.Instance.FindDrug("triamcinolone")!, 40),
            start.PlusDays(random.Next(0, 5 * 365 + 1)), random.Next(20) == 0)).ToList();
        _unsorted = _history.ToList();
        _history.Sort((a, b) => a.DateOfService.CompareTo(b.DateOfService)); // the store returns history by date
        _policies =
        [
            new Policy("plan", "Plan", new AnnualDate(7, 1), false, start,
            [
                Rule.MinInterval("tpi-gap", ["trigger-point-injection"], RuleScope.Site, 42),
                Rule.MaxSessions("tpi-12m", ["trigger-point-injection"], RuleScope.Patient, 3, RuleWindow.Rolling12Months),
                Rule.MaxSessions("tpi-year", ["trigger-point-injection"], RuleScope.Region, 4, RuleWindow.CalendarYear),
                Rule.MaxSessions("tpi-plan", ["trigger-point-injection"], RuleScope.Patient, 6, RuleWindow.PlanYear),
                Rule.MinInterval("any-gap", ["*"], RuleScope.Patient, 7),
                Rule.MaxSessions("all-12m", ["*"], RuleScope.Region, 12, RuleWindow.Rolling12Months),
                Rule.MaxSteroidSessions("steroid-plan", ["*"], RuleScope.Patient, 8, RuleWindow.PlanYear),
                Rule.MaxSteroidDose("mg-year", ["*"], RuleScope.Patient, 400m, RuleWindow.CalendarYear),
            ]),
            new Policy("clinic", "Clinic", new AnnualDate(1, 1), true, start,
            [
                Rule.MaxSteroidSessions("steroid-12m", ["*"], RuleScope.Patient, 4, RuleWindow.Rolling12Months),
                Rule.MaxSteroidDose("mg-12m", ["*"], RuleScope.Patient, 200m, RuleWindow.Rolling12Months),
            ]),
        ];
        var steroid = SteroidUse.Of(DefaultCatalog.Instance.FindDrug("triamcinolone")!, 40);
        _blocked = new ProposedInjection("trigger-point-injection", new BodySite("neck", Laterality.Left), steroid, new LocalDate(2026, 6, 15));
        _eligible = new ProposedInjection("trigger-point-injection", new BodySite("neck", Laterality.Left), null, new LocalDate(2029, 6, 15));
    }

    /// <summary>A dense recent history: not eligible, so the earliest date is searched.</summary>
    [Benchmark(Baseline = true)]
    public EligibilityResult Blocked_with_earliest_date_search() => _evaluator.Evaluate(_blocked, _history, _policies);

    /// <summary>The same, with the history handed in unsorted (the engine sorts it).</summary>
    [Benchmark]
    public EligibilityResult Blocked_unsorted_history() => _evaluator.Evaluate(_blocked, _unsorted, _policies);

    /// <summary>Same history, a date well after it: eligible at once.</summary>
    [Benchmark]
    public EligibilityResult Eligible() => _evaluator.Evaluate(_eligible, _history, _policies);
}
