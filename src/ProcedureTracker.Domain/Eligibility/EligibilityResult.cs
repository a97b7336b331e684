using NodaTime;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Domain.Eligibility;

/// <summary>The answer to "may this patient have this injection on this date under these policies?".</summary>
/// <remarks>Record equality compares its lists by reference: an answer is a message to show, never a key or a value to
/// compare whole; tests compare its members.</remarks>
/// <param name="Eligible">True when every rule passes on <paramref name="Date"/>.</param>
/// <param name="Date">The date asked about.</param>
/// <param name="EarliestEligibleDate">The earliest date on or after <paramref name="Date"/> on which every rule passes
/// together; equal to <paramref name="Date"/> when eligible; null when no date within two years works.</param>
/// <param name="Violations">Every rule broken on <paramref name="Date"/>.</param>
/// <param name="Usage">Usage of each counting rule that applies to the procedure, in the window containing the date.</param>
/// <param name="Warnings">Plain-language warnings: what was not checked (no plan, a plan with no version in force on the
/// date), and that this session uses the last one allowed.</param>
public sealed record EligibilityResult(
    bool Eligible,
    LocalDate Date,
    LocalDate? EarliestEligibleDate,
    IReadOnlyList<Violation> Violations,
    IReadOnlyList<RuleUsage> Usage,
    IReadOnlyList<string> Warnings)
{
    /// <summary>The payer plan the answer was judged under; null when only clinic protocols were checked (or no plan filter was used).</summary>
    public string? Plan { get; init; }

    /// <summary>Codes of the policies that had a version in force on <see cref="Date"/> and were checked.</summary>
    public IReadOnlyList<string> PoliciesChecked { get; init; } = [];

    /// <summary>The warnings (also in <see cref="Warnings"/>) that say what was not checked, e.g. no plan, or a plan with no version in force.</summary>
    public IReadOnlyList<string> Unchecked { get; init; } = [];

    /// <summary>A copy with <paramref name="notes"/> about what was not checked put first among the warnings.</summary>
    public EligibilityResult WithUnchecked(params IReadOnlyList<string> notes) =>
        notes.Count == 0 ? this : this with { Warnings = [.. notes, .. Warnings], Unchecked = [.. notes, .. Unchecked] };

    /// <summary>A copy whose only note about what was not checked is <paramref name="note"/> (a caller that knows the reason better says it once).</summary>
    public EligibilityResult WithUncheckedOnly(string note) =>
        this with { Warnings = [note, .. Warnings.Where(w => !Unchecked.Contains(w))], Unchecked = [note] };
}

/// <summary>One broken rule.</summary>
/// <remarks>Record equality compares <see cref="ConflictingDates"/> by reference (see <see cref="EligibilityResult"/>).</remarks>
/// <param name="Policy">Code of the policy the rule belongs to.</param>
/// <param name="RuleId">The rule's id within the policy.</param>
/// <param name="Kind">The rule's kind.</param>
/// <param name="Message">A plain-language reason a clinician understands.</param>
/// <param name="ConflictingDates">Dates of the recorded sessions that cause the violation, ascending.</param>
/// <param name="PassesOn">The earliest date on or after the asked date on which this rule alone passes; null when none within two years.</param>
public sealed record Violation(
    string Policy, string RuleId, RuleKind Kind, string Message, IReadOnlyList<LocalDate> ConflictingDates, LocalDate? PassesOn);

/// <summary>Usage of one counting rule in the window that contains (or, for rolling windows, ends on) the asked date.</summary>
/// <param name="Policy">Code of the policy.</param>
/// <param name="RuleId">The rule's id.</param>
/// <param name="Kind">The rule's kind.</param>
/// <param name="Used">Recorded, non-voided sessions (or mg MPE for dose rules) in the window, not counting the proposed one.</param>
/// <param name="Limit">The rule's maximum.</param>
/// <param name="Remaining"><c>Limit − Used</c>, never below 0.</param>
/// <param name="Unit">Sessions, or mg methylprednisolone-equivalent for dose rules.</param>
/// <param name="WindowStart">First day of the window (inclusive).</param>
/// <param name="WindowEnd">Last day of the window (inclusive).</param>
/// <param name="Window">The rule's window kind.</param>
public sealed record RuleUsage(
    string Policy, string RuleId, RuleKind Kind, decimal Used, decimal Limit, decimal Remaining, UsageUnit Unit,
    LocalDate WindowStart, LocalDate WindowEnd, RuleWindow Window)
{
    /// <summary>Which earlier sessions the rule counts (site, region or the whole patient).</summary>
    public RuleScope Scope { get; init; }
}

/// <summary>What a usage line counts.</summary>
public enum UsageUnit
{
    /// <summary>Sessions (distinct dates of service of a procedure family).</summary>
    Sessions,
    /// <summary>Milligrams methylprednisolone-equivalent.</summary>
    MgMpe,
}

/// <summary>Codes of <see cref="UsageUnit"/> as the API and CSV write them.</summary>
public static class UsageUnits
{
    /// <summary><c>sessions</c> or <c>mg</c>.</summary>
    public static string ToCode(this UsageUnit unit) => unit == UsageUnit.MgMpe ? "mg" : "sessions";

    /// <summary>How a person reads it: <c>sessions</c> or <c>mg MPE</c>.</summary>
    public static string ToText(this UsageUnit unit) => unit == UsageUnit.MgMpe ? "mg MPE" : "sessions";
}
