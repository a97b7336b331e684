namespace ProcedureTracker.Domain.Policies;

/// <summary>
/// One limit within a policy. Which numbers are set depends on <see cref="Kind"/>: <see cref="Days"/> for
/// min-interval; <see cref="Max"/> and <see cref="Window"/> for max-sessions and max-steroid-sessions;
/// <see cref="MaxMpeMg"/> and <see cref="Window"/> for max-steroid-dose. Create rules with the static factories.
/// </summary>
public sealed record Rule
{
    private Rule(string id, RuleKind kind, IReadOnlyList<string> procedures, RuleScope scope, int? days, int? max,
        decimal? maxMpeMg, RuleWindow? window)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(procedures);
        if (procedures.Count == 0) throw new ArgumentException("A rule names at least one procedure or \"*\".", nameof(procedures));
        Id = id;
        Kind = kind;
        Procedures = procedures;
        Scope = scope;
        Days = days;
        Max = max;
        MaxMpeMg = maxMpeMg;
        Window = window;
        AllProcedures = procedures.Contains(AnyProcedure);
    }

    /// <summary>The wildcard procedure list entry: the rule applies to every procedure.</summary>
    public const string AnyProcedure = "*";

    /// <summary>Id unique within the policy, e.g. <c>tpi-gap</c>.</summary>
    public string Id { get; }

    /// <summary>What the rule limits.</summary>
    public RuleKind Kind { get; }

    /// <summary>Procedure codes the rule applies to, or <c>["*"]</c> for all.</summary>
    public IReadOnlyList<string> Procedures { get; }

    /// <summary>Which earlier sessions count.</summary>
    public RuleScope Scope { get; }

    /// <summary>Minimum days between sessions (min-interval only); a repeat exactly this many days later passes.</summary>
    public int? Days { get; }

    /// <summary>Maximum sessions in the window (max-sessions, max-steroid-sessions); 0 means "not covered".</summary>
    public int? Max { get; }

    /// <summary>Maximum cumulative mg MPE in the window (max-steroid-dose).</summary>
    public decimal? MaxMpeMg { get; }

    /// <summary>The counting window; null for min-interval.</summary>
    public RuleWindow? Window { get; }

    /// <summary>True when <see cref="Procedures"/> holds the wildcard.</summary>
    public bool AllProcedures { get; }

    /// <summary>Value equality: two rules are equal when every member is, the procedure lists compared item by item.</summary>
    public bool Equals(Rule? other) =>
        other is not null && Id == other.Id && Kind == other.Kind && Scope == other.Scope && Days == other.Days && Max == other.Max &&
        MaxMpeMg == other.MaxMpeMg && Window == other.Window && Procedures.SequenceEqual(other.Procedures);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Kind, Scope, Days, Max, MaxMpeMg, Window, Procedures.Count);

    /// <summary>True when the rule applies to the procedure code.</summary>
    public bool AppliesTo(string procedure) => AllProcedures || Procedures.Contains(procedure);

    /// <summary>No repeat of the procedures within <paramref name="days"/> days of another session.</summary>
    public static Rule MinInterval(string id, IReadOnlyList<string> procedures, RuleScope scope, int days)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(days);
        return new(id, RuleKind.MinInterval, procedures, scope, days, null, null, null);
    }

    /// <summary>At most <paramref name="max"/> sessions of the procedures in the window.</summary>
    public static Rule MaxSessions(string id, IReadOnlyList<string> procedures, RuleScope scope, int max, RuleWindow window)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return new(id, RuleKind.MaxSessions, procedures, scope, null, max, null, window);
    }

    /// <summary>At most <paramref name="max"/> steroid sessions of the procedures in the window.</summary>
    public static Rule MaxSteroidSessions(string id, IReadOnlyList<string> procedures, RuleScope scope, int max, RuleWindow window)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return new(id, RuleKind.MaxSteroidSessions, procedures, scope, null, max, null, window);
    }

    /// <summary>At most <paramref name="maxMpeMg"/> mg MPE of steroid with the procedures in the window.</summary>
    public static Rule MaxSteroidDose(string id, IReadOnlyList<string> procedures, RuleScope scope, decimal maxMpeMg, RuleWindow window)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxMpeMg);
        return new(id, RuleKind.MaxSteroidDose, procedures, scope, null, null, maxMpeMg, window);
    }
}
