using NodaTime;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Domain.Eligibility;

/// <summary>
/// One rule of one policy version prepared against one patient's history: the sessions (or steroid doses) it counts,
/// sorted by day, so that a candidate date is judged with binary searches instead of rescanning the history. The rule
/// binds only on the days its version is in force (<see cref="ActiveFrom"/> to <see cref="ActiveTo"/>); on other days
/// it passes, because another version (or none) governs them.
/// </summary>
internal sealed class RuleState
{
    private readonly int[] _days;             // item day numbers, ascending (one item per session, or per dose day)
    private readonly string[] _procedures;    // session items: the procedure of the session
    private readonly decimal[] _prefix;       // prefix sums of item weights (1 per session, mg MPE per dose day)
    private readonly int[] _rollingStarts;    // RollingStart of the window ending on each item's day
    private readonly string _proposedProcedure;
    private readonly decimal _proposedDose;

    public RuleState(Policy policy, Rule rule, ProposedInjection proposal, PreparedHistory history, bool touches, int asked, int searchEnd,
        int activeFrom = int.MinValue, int activeTo = int.MaxValue)
    {
        Policy = policy;
        ActiveFrom = activeFrom;
        ActiveTo = activeTo;
        _asked = asked;
        Rule = rule;
        Touches = touches;
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
        var days = new List<int>();
        var procedures = new List<string>();
        var weights = new List<decimal>();
        var samples = new List<InjectionRecord>();
        for (var k = history.LowerBound(from); k < entries.Length && entries[k].Day <= to; k++)
        {
            var e = entries[k];
            if (!applies[e.Procedure] || (steroidOnly && !e.HasSteroid)) continue;
            if (rule.Scope != RuleScope.Patient && e.Region != history.ProposedRegion) continue;
            if (rule.Scope == RuleScope.Site && !e.Side.Overlaps(proposal.Site.Laterality)) continue;
            var last = days.Count - 1;
            if (rule.Kind == RuleKind.MaxSteroidDose)
            {
                if (last >= 0 && days[last] == e.Day) weights[last] += e.MpeMg;
                else { days.Add(e.Day); procedures.Add(e.Record.Procedure); weights.Add(e.MpeMg); samples.Add(e.Record); }
                continue;
            }
            var duplicate = false;
            for (var i = last; i >= 0 && days[i] == e.Day; i--)
                if (rule.Kind == RuleKind.MinInterval || procedures[i] == e.Record.Procedure) { duplicate = true; break; }
            if (duplicate) continue;
            days.Add(e.Day); procedures.Add(e.Record.Procedure); weights.Add(1m); samples.Add(e.Record);
        }
        _days = days.ToArray();
        _procedures = procedures.ToArray();
        Samples = samples.ToArray();
        _prefix = new decimal[_days.Length + 1];
        for (var i = 0; i < weights.Count; i++) _prefix[i + 1] = _prefix[i] + weights[i];
        _rollingStarts = new int[rule.Window == RuleWindow.Rolling12Months ? _days.Length : 0];
        for (var i = 0; i < _rollingStarts.Length; i++) _rollingStarts[i] = DayMath.RollingStart(_days[i]);
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

    private readonly int _asked;
    private int[]? _candidates;
    private int _cursor;

    /// <summary>Restarts the candidate scan, so that <see cref="NextPass"/> may be asked about an earlier day again.</summary>
    public void Rewind() => _cursor = 0;

    /// <summary>
    /// The first day in [<paramref name="day"/>, <paramref name="searchEnd"/>] on which this rule passes, or null;
    /// <paramref name="day"/> is on or after the asked date. Calls must come with non-decreasing days (or after
    /// <see cref="Rewind"/>): the scan over this rule's candidates resumes where it stopped.
    /// </summary>
    /// <remarks>The rule's verdict can turn from fail to pass only on its own candidate days (or the day after its
    /// version stops governing), so after a failing day only those need checking.</remarks>
    public int? NextPass(int day, int searchEnd)
    {
        if (Passes(day)) return day;
        _candidates ??= Candidates(_asked, searchEnd);
        while (_cursor < _candidates.Length && _candidates[_cursor] <= day) _cursor++;
        for (; _cursor < _candidates.Length; _cursor++)
            if (Passes(_candidates[_cursor])) return _candidates[_cursor];
        return null;
    }

    /// <summary>The days after <paramref name="from"/> where this rule's verdict can turn from fail to pass, ascending.</summary>
    private int[] Candidates(int from, int to)
    {
        var candidates = new List<int>();
        void Add(int d) { if (d > from && d <= to) candidates.Add(d); }
        if (ActiveTo < int.MaxValue) Add(ActiveTo + 1);
        foreach (var day in _days)
        {
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
        for (var i = UpperBound(day); i < _days.Length && _rollingStarts[i] <= day; i++)
            if (Measure(_rollingStarts[i], _days[i]) + added > Limit) return (_rollingStarts[i], _days[i]);
        return null;
    }

    /// <summary>What the proposal on <paramref name="day"/> adds: 0 when it joins a session already counted.</summary>
    public decimal Added(int day)
    {
        if (Rule.Kind == RuleKind.MaxSteroidDose) return _proposedDose;
        for (var i = LowerBound(day); i < _days.Length && _days[i] == day; i++)
            if (_procedures[i] == _proposedProcedure) return 0m;
        return 1m;
    }

    /// <summary>Sessions (or mg MPE) recorded in [start, end], both inclusive.</summary>
    public decimal Measure(int start, int end) => _prefix[UpperBound(end)] - _prefix[LowerBound(start)];

    /// <summary>Distinct item dates in [start, end], ascending.</summary>
    public IReadOnlyList<LocalDate> DatesIn(int start, int end, int? except = null)
    {
        var dates = new List<LocalDate>();
        for (var i = LowerBound(start); i < _days.Length && _days[i] <= end; i++)
            if (_days[i] != except && (dates.Count == 0 || DayNumber(dates[^1]) != _days[i])) dates.Add(ToDate(_days[i]));
        return dates;
    }

    /// <summary>The usage window for the asked date: the plan/calendar year containing it, or the rolling window ending on it.</summary>
    public DateInterval UsageWindow(LocalDate date) =>
        Rule.Window == RuleWindow.Rolling12Months ? Windows.Rolling(date) : YearWindow(date);

    private DateInterval YearWindow(LocalDate date) =>
        Windows.YearContaining(date, Rule.Window == RuleWindow.PlanYear ? Policy.PlanYearStart : new AnnualDate(1, 1));

    private int LowerBound(int day)
    {
        int lo = 0, hi = _days.Length;
        while (lo < hi) { var mid = (lo + hi) >>> 1; if (_days[mid] < day) lo = mid + 1; else hi = mid; }
        return lo;
    }

    private int UpperBound(int day) => LowerBound(day + 1);
}
