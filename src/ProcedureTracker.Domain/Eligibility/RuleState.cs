using NodaTime;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Domain.Eligibility;

/// <summary>
/// One item a rule counts: a session (weight 1) or a dose day (weight mg MPE), with what the searches need precomputed.
/// </summary>
/// <param name="Day">Day number of the item.</param>
/// <param name="Procedure">The procedure of the session (the first record's, for a dose day).</param>
/// <param name="Before">Sum of the weights of every earlier item (a prefix sum: a window's measure is two lookups).</param>
/// <param name="RollingStart">First day of the rolling window ending on <paramref name="Day"/> (rolling-window rules only).</param>
internal readonly record struct Item(int Day, string Procedure, decimal Before, int RollingStart);

/// <summary>
/// A rule's verdict from a day on: the first day on or after <see cref="From"/> on which it passes, or none before the
/// search end. A value: the leapfrog keeps it and reuses it for every later day up to <see cref="PassesOn"/> (on those
/// days the answer is the same), so no rule needs a mutable cursor.
/// </summary>
internal readonly record struct Verdict(int From, int? PassesOn)
{
    /// <summary>True when this verdict answers a search from <paramref name="day"/> too.</summary>
    public bool Answers(int day) => day >= From && (PassesOn is not { } p || day <= p);
}

/// <summary>
/// One rule of one policy version prepared against one patient's history: the sessions (or steroid doses) it counts,
/// sorted by day, so that a candidate date is judged with binary searches instead of rescanning the history. The rule
/// binds only on the days its version is in force (<see cref="ActiveFrom"/> to <see cref="ActiveTo"/>); on other days
/// it passes, because another version (or none) governs them.
/// </summary>
internal sealed class RuleState
{
    private readonly Item[] _items;        // ascending by day: one per session, or per dose day
    private readonly decimal _total;       // sum of every item's weight
    private readonly string _proposedProcedure;
    private readonly decimal _proposedDose;
    private readonly int _asked;
    private readonly int _searchEnd;
    private int[]? _candidates;            // computed on first need, then never changed

    public RuleState(Policy policy, Rule rule, ProposedInjection proposal, PreparedHistory history, bool touches, int asked, int searchEnd,
        int activeFrom = int.MinValue, int activeTo = int.MaxValue)
    {
        Policy = policy;
        Rule = rule;
        Touches = touches;
        ActiveFrom = activeFrom;
        ActiveTo = activeTo;
        _asked = asked;
        _searchEnd = searchEnd;
        _proposedProcedure = proposal.Procedure;
        _proposedDose = proposal.Steroid?.MpeMg ?? 0m;

        var applies = new bool[history.ProcedureCount];
        for (var p = 0; p < applies.Length; p++) applies[p] = rule.AllProcedures;
        if (!rule.AllProcedures)
            foreach (var code in rule.Procedures)
                if (history.ProcedureCode(code) is var c and >= 0) applies[c] = true;
        var steroidOnly = rule.Kind is RuleKind.MaxSteroidSessions or RuleKind.MaxSteroidDose;

        // Only records that can share a window (or an interval) with some date in [asked, searchEnd] matter.
        var (from, to) = rule.Kind switch
        {
            RuleKind.MinInterval => (asked - rule.Days!.Value + 1, searchEnd + rule.Days.Value - 1),
            _ when rule.Window == RuleWindow.Rolling12Months => (DayMath.RollingStart(asked), DayMath.PlusYears(searchEnd, 1)),
            _ => (DayMath.Day(YearWindow(DayMath.Date(asked)).Start), DayMath.PlusYears(searchEnd, 1)),
        };

        var entries = history.Entries;
        var items = new List<(int Day, string Procedure, decimal Weight)>();
        var samples = new List<InjectionRecord>();
        for (var k = history.LowerBound(from); k < entries.Length && entries[k].Day <= to; k++)
        {
            var e = entries[k];
            if (!applies[e.Procedure] || (steroidOnly && !e.HasSteroid)) continue;
            if (rule.Scope != RuleScope.Patient && e.Region != history.ProposedRegion) continue;
            if (rule.Scope == RuleScope.Site && !e.Side.Overlaps(proposal.Site.Laterality)) continue;
            var last = items.Count - 1;
            if (rule.Kind == RuleKind.MaxSteroidDose)
            {
                // Doses on one day add up into one item.
                if (last >= 0 && items[last].Day == e.Day) items[last] = items[last] with { Weight = items[last].Weight + e.MpeMg };
                else { items.Add((e.Day, e.Record.Procedure, e.MpeMg)); samples.Add(e.Record); }
                continue;
            }
            if (JoinsSession(items, e.Day, e.Record.Procedure, rule.Kind)) continue;
            items.Add((e.Day, e.Record.Procedure, 1m));
            samples.Add(e.Record);
        }
        Samples = samples.ToArray();
        _items = new Item[items.Count];
        var before = 0m;
        for (var i = 0; i < items.Count; i++)
        {
            var rollingStart = rule.Window == RuleWindow.Rolling12Months ? DayMath.RollingStart(items[i].Day) : 0;
            _items[i] = new Item(items[i].Day, items[i].Procedure, before, rollingStart);
            before += items[i].Weight;
        }
        _total = before;
    }

    /// <summary>
    /// True when a record on <paramref name="day"/> adds no item: min-interval compares distinct dates, and a session is
    /// one procedure family on one date.
    /// </summary>
    private static bool JoinsSession(List<(int Day, string Procedure, decimal Weight)> items, int day, string procedure, RuleKind kind)
    {
        for (var i = items.Count - 1; i >= 0 && items[i].Day == day; i--)
            if (kind == RuleKind.MinInterval || items[i].Procedure == procedure) return true;
        return false;
    }

    public Policy Policy { get; }
    public Rule Rule { get; }

    /// <summary>True when the proposal can break this rule (procedure matches; for steroid rules, a steroid is proposed).</summary>
    public bool Touches { get; }

    /// <summary>First day (day number) the rule's policy version is in force.</summary>
    public int ActiveFrom { get; }

    /// <summary>Last day (day number) the rule's policy version is in force, before the next version takes over.</summary>
    public int ActiveTo { get; }

    /// <summary>True when the rule's version governs <paramref name="day"/>.</summary>
    public bool InForce(int day) => day >= ActiveFrom && day <= ActiveTo;

    /// <summary>One representative record per item, for messages.</summary>
    public InjectionRecord[] Samples { get; }

    public decimal Limit => Rule.Kind switch
    {
        RuleKind.MaxSteroidDose => Rule.MaxMpeMg!.Value,
        RuleKind.MinInterval => Rule.Days!.Value,
        _ => Rule.Max!.Value,
    };

    public static int DayNumber(LocalDate date) => DayMath.Day(date);
    public static LocalDate ToDate(int day) => DayMath.Date(day);

    /// <summary>
    /// The rule's verdict from <paramref name="day"/> (on or after the asked date): the first day up to the search end on
    /// which it passes, or none. Pure: the same day always gives the same verdict.
    /// </summary>
    /// <remarks>The rule's verdict can turn from fail to pass only on its own candidate days (or the day after its
    /// version stops governing), so after a failing day only those need checking.</remarks>
    public Verdict VerdictFrom(int day)
    {
        if (Passes(day)) return new Verdict(day, day);
        var candidates = _candidates ??= Candidates(_asked, _searchEnd);
        for (var i = UpperBoundOf(candidates, day); i < candidates.Length; i++)
            if (Passes(candidates[i])) return new Verdict(day, candidates[i]);
        return new Verdict(day, null);
    }

    /// <summary>The days after <paramref name="from"/> where this rule's verdict can turn from fail to pass, ascending.</summary>
    private int[] Candidates(int from, int to)
    {
        var candidates = new List<int>();
        void Add(int d) { if (d > from && d <= to) candidates.Add(d); }
        if (ActiveTo < int.MaxValue) Add(ActiveTo + 1);
        foreach (var item in _items)
        {
            var day = item.Day;
            Add(day);
            Add(day + 1);
            if (Rule.Kind == RuleKind.MinInterval) Add(day + Rule.Days!.Value);
            else if (Rule.Window == RuleWindow.Rolling12Months) Add(DayMath.RollingExit(day));
        }
        if (Rule.Window is RuleWindow.CalendarYear or RuleWindow.PlanYear)
            for (var window = YearWindow(ToDate(from)); DayNumber(window.End) < to; window = YearWindow(window.End.PlusDays(1)))
                Add(DayNumber(window.End) + 1);
        candidates.Sort();
        return candidates.ToArray();
    }

    /// <summary>True when the rule passes for the proposal moved to <paramref name="day"/> (always, on days its version does not govern).</summary>
    public bool Passes(int day) => !Touches || !InForce(day) || FirstBreach(day) is null;

    /// <summary>
    /// The first breach on <paramref name="day"/>: for min-interval the conflicting item range; for counting rules
    /// the window (first day, last day) that would hold more than the limit with the proposal added. Null when it passes.
    /// </summary>
    public (int Start, int End)? FirstBreach(int day)
    {
        if (Rule.Kind == RuleKind.MinInterval)
        {
            var n = Rule.Days!.Value;
            var lo = LowerBound(day - n + 1);
            var hi = LowerBound(day + n); // exclusive
            var same = LowerBound(day + 1) - LowerBound(day);
            return hi - lo - same > 0 ? (day - n + 1, day + n - 1) : null;
        }
        var added = Added(day);
        if (Rule.Window != RuleWindow.Rolling12Months)
        {
            var w = YearWindow(ToDate(day));
            var (s, e) = (DayNumber(w.Start), DayNumber(w.End));
            return Measure(s, e) + added > Limit ? (s, e) : null;
        }
        // Every rolling window containing the day: the one ending on it, and those ending on later items that reach back to it.
        var start = DayMath.RollingStart(day);
        if (Measure(start, day) + added > Limit) return (start, day);
        for (var i = UpperBound(day); i < _items.Length && _items[i].RollingStart <= day; i++)
            if (Measure(_items[i].RollingStart, _items[i].Day) + added > Limit) return (_items[i].RollingStart, _items[i].Day);
        return null;
    }

    /// <summary>What the proposal on <paramref name="day"/> adds: 0 when it joins a session already counted.</summary>
    public decimal Added(int day)
    {
        if (Rule.Kind == RuleKind.MaxSteroidDose) return _proposedDose;
        for (var i = LowerBound(day); i < _items.Length && _items[i].Day == day; i++)
            if (_items[i].Procedure == _proposedProcedure) return 0m;
        return 1m;
    }

    /// <summary>Sessions (or mg MPE) recorded in [start, end], both inclusive.</summary>
    public decimal Measure(int start, int end) => Before(UpperBound(end)) - Before(LowerBound(start));

    private decimal Before(int index) => index < _items.Length ? _items[index].Before : _total;

    /// <summary>Distinct item dates in [start, end], ascending.</summary>
    public IReadOnlyList<LocalDate> DatesIn(int start, int end, int? except = null)
    {
        var dates = new List<LocalDate>();
        for (var i = LowerBound(start); i < _items.Length && _items[i].Day <= end; i++)
            if (_items[i].Day != except && (dates.Count == 0 || DayNumber(dates[^1]) != _items[i].Day)) dates.Add(ToDate(_items[i].Day));
        return dates;
    }

    /// <summary>The usage window for the asked date: the plan/calendar year containing it, or the rolling window ending on it.</summary>
    public DateInterval UsageWindow(LocalDate date) =>
        Rule.Window == RuleWindow.Rolling12Months ? Windows.Rolling(date) : YearWindow(date);

    private DateInterval YearWindow(LocalDate date) =>
        Windows.YearContaining(date, Rule.Window == RuleWindow.PlanYear ? Policy.PlanYearStart : new AnnualDate(1, 1));

    private int LowerBound(int day)
    {
        int lo = 0, hi = _items.Length;
        while (lo < hi) { var mid = (lo + hi) >>> 1; if (_items[mid].Day < day) lo = mid + 1; else hi = mid; }
        return lo;
    }

    private int UpperBound(int day) => LowerBound(day + 1);

    private static int UpperBoundOf(int[] sorted, int day)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { var mid = (lo + hi) >>> 1; if (sorted[mid] <= day) lo = mid + 1; else hi = mid; }
        return lo;
    }
}
