using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Domain.Eligibility;

/// <summary>One non-voided record reduced to what rules compare: day number and small integer codes.</summary>
internal readonly record struct Entry(int Day, int Procedure, int Region, Laterality Side, decimal MpeMg, InjectionRecord Record)
{
    public bool HasSteroid => Record.Steroid is not null;
}

/// <summary>
/// A patient's history prepared once per evaluation: voided records dropped, sorted by day, procedure and region codes
/// interned to small integers so that each rule filters with array lookups instead of string comparisons.
/// </summary>
internal sealed class PreparedHistory
{
    // A handful of distinct codes per patient: a linear scan (reference-equal strings hit at once) beats hashing.
    private readonly List<string> _procedures = new(8);
    private readonly List<string> _regions = new(8);

    public PreparedHistory(IEnumerable<InjectionRecord> history, ProposedInjection proposal)
    {
        ProposedProcedure = Intern(_procedures, proposal.Procedure);
        ProposedRegion = Intern(_regions, proposal.Site.Region);
        var entries = new List<Entry>(history.TryGetNonEnumeratedCount(out var n) ? n : 16);
        var sorted = true;
        foreach (var record in history)
        {
            if (record.IsVoided) continue;
            var entry = new Entry(DayMath.Day(record.DateOfService), Intern(_procedures, record.Procedure),
                Intern(_regions, record.Site.Region), record.Site.Laterality, record.Steroid?.MpeMg ?? 0m, record);
            if (entries.Count > 0 && entries[^1].Day > entry.Day) sorted = false;
            entries.Add(entry);
        }
        Entries = entries.ToArray();
        if (!sorted)
        {
            // Sort small int keys with an index permutation rather than swapping the wide entries themselves.
            var keys = new int[Entries.Length];
            var order = new int[Entries.Length];
            for (var i = 0; i < keys.Length; i++) { keys[i] = Entries[i].Day; order[i] = i; }
            Array.Sort(keys, order);
            var copy = Entries.ToArray();
            for (var i = 0; i < order.Length; i++) Entries[i] = copy[order[i]];
        }
    }

    public Entry[] Entries { get; }
    public int ProposedProcedure { get; }
    public int ProposedRegion { get; }
    public int ProcedureCount => _procedures.Count;

    /// <summary>The interned code of a procedure, or -1 when no record (nor the proposal) has it.</summary>
    public int ProcedureCode(string procedure) => IndexOf(_procedures, procedure);

    /// <summary>First index whose day is at least <paramref name="day"/>.</summary>
    public int LowerBound(int day)
    {
        int lo = 0, hi = Entries.Length;
        while (lo < hi) { var mid = (lo + hi) >>> 1; if (Entries[mid].Day < day) lo = mid + 1; else hi = mid; }
        return lo;
    }

    private static int Intern(List<string> codes, string value)
    {
        var code = IndexOf(codes, value);
        if (code >= 0) return code;
        codes.Add(value);
        return codes.Count - 1;
    }

    private static int IndexOf(List<string> codes, string value)
    {
        for (var i = 0; i < codes.Count; i++)
            if (ReferenceEquals(codes[i], value) || string.Equals(codes[i], value, StringComparison.Ordinal)) return i;
        return -1;
    }
}

/// <summary>Date arithmetic on day numbers (<see cref="DateOnly.DayNumber"/>), matching NodaTime's ISO calendar rules.</summary>
internal static class DayMath
{
    public static int Day(NodaTime.LocalDate date) => date.ToDateOnly().DayNumber;
    public static NodaTime.LocalDate Date(int day) => NodaTime.LocalDate.FromDateOnly(DateOnly.FromDayNumber(day));

    /// <summary>Same-month-day a number of years later; Feb 29 becomes Feb 28 in common years, as NodaTime's PlusYears.</summary>
    public static int PlusYears(int day, int years) => DateOnly.FromDayNumber(day).AddYears(years).DayNumber;

    /// <summary><see cref="Windows.RollingStart"/> on day numbers.</summary>
    public static int RollingStart(int end) => PlusYears(end, -1) + 1;

    /// <summary><see cref="Windows.RollingExit"/> on day numbers.</summary>
    public static int RollingExit(int session)
    {
        var exit = PlusYears(session, 1);
        return RollingStart(exit) <= session ? exit + 1 : exit;
    }
}
