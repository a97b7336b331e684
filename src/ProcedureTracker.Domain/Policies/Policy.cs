using NodaTime;

namespace ProcedureTracker.Domain.Policies;

/// <summary>
/// A named set of rules: a payer plan, or a clinic protocol (<see cref="AlwaysApply"/>) evaluated in every check.
/// One value is one version of the policy, in force from <see cref="EffectiveFrom"/> until the next version of the same
/// code takes over.
/// </summary>
public sealed record Policy
{
    /// <summary>Creates a policy version.</summary>
    /// <exception cref="ArgumentException">The code or name is blank, or two rules share an id.</exception>
    public Policy(string code, string name, AnnualDate planYearStart, bool alwaysApply, LocalDate? effectiveFrom,
        IReadOnlyList<Rule> rules)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(rules);
        if (rules.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count() != rules.Count)
            throw new ArgumentException("Rule ids must be unique within a policy.", nameof(rules));
        Code = code;
        Name = name;
        PlanYearStart = planYearStart;
        AlwaysApply = alwaysApply;
        EffectiveFrom = effectiveFrom;
        Rules = rules;
    }

    /// <summary>Stable code, e.g. <c>acme-ppo</c>; the plan named on injections and checks.</summary>
    public string Code { get; }

    /// <summary>Plain-language name shown to clinicians.</summary>
    public string Name { get; }

    /// <summary>Month-day the plan year starts (01-01 for a calendar plan year). A 02-29 start falls on 02-28 in common years.</summary>
    public AnnualDate PlanYearStart { get; }

    /// <summary>True for a clinic protocol evaluated in every check in addition to the named plan.</summary>
    public bool AlwaysApply { get; }

    /// <summary>First date of service this version governs (inclusive); null when it governs from the beginning of time
    /// (a policy's first version stored without a date).</summary>
    public LocalDate? EffectiveFrom { get; }

    /// <summary>True when this version's <see cref="EffectiveFrom"/> is on or before <paramref name="date"/>.</summary>
    public bool StartsBy(LocalDate date) => EffectiveFrom is not { } from || from <= date;

    /// <summary>
    /// Other names of the plan as EHRs and payers write it ("Medicare Part B"): a Coverage whose plan, name or payor
    /// says one of them (or the code), whatever its case, is this plan.
    /// </summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>True when <paramref name="word"/> is this plan's code or one of its aliases, ignoring case and outer spaces.</summary>
    public bool IsNamed(string word) =>
        string.Equals(word.Trim(), Code, StringComparison.OrdinalIgnoreCase) || Aliases.Any(a => string.Equals(word.Trim(), a, StringComparison.OrdinalIgnoreCase));

    /// <summary>Value equality: the same code, name, year start, flag, date, aliases and rules (compared item by item, in order).</summary>
    public bool Equals(Policy? other) =>
        other is not null && Code == other.Code && Name == other.Name && PlanYearStart == other.PlanYearStart && AlwaysApply == other.AlwaysApply &&
        EffectiveFrom == other.EffectiveFrom && Aliases.SequenceEqual(other.Aliases) && Rules.SequenceEqual(other.Rules);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Code, Name, PlanYearStart, AlwaysApply, EffectiveFrom, Rules.Count);

    /// <summary>The rules, each id unique within the policy.</summary>
    public IReadOnlyList<Rule> Rules { get; }
}
