using NodaTime;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Domain.Eligibility;

/// <summary>
/// Judges a proposed injection against a patient's history under one or more policies (DOMAIN.md). Pure: no I/O,
/// no clock; the same inputs always give the same answer.
/// </summary>
public sealed class EligibilityEvaluator(ProcedureCatalog catalog)
{
    /// <summary>How far ahead the earliest eligible date is searched: two years after the asked date, inclusive.</summary>
    public const int SearchYears = 2;

    /// <summary>
    /// Evaluates <paramref name="proposal"/> against <paramref name="history"/> (any order; voided records are ignored)
    /// under every version in <paramref name="policies"/>, each applying on the days it is in force (see
    /// <see cref="Evaluate(ProposedInjection, IEnumerable{InjectionRecord}, IReadOnlyList{Policy}, string?)"/>), with
    /// no plan filter: every policy given applies, and no plan warnings are added.
    /// </summary>
    public EligibilityResult Evaluate(ProposedInjection proposal, IEnumerable<InjectionRecord> history, IReadOnlyList<Policy> policies) =>
        Evaluate(proposal, history, policies, static _ => true, null);

    /// <summary>
    /// Evaluates <paramref name="proposal"/> against <paramref name="history"/> (any order; voided records are ignored)
    /// under the payer plan <paramref name="plan"/> and the clinic protocols. <paramref name="policies"/> holds versions:
    /// each governs from its <see cref="Policy.EffectiveFrom"/> (null: the beginning of time) until the next version of
    /// the same code (by date; of two on one date, the later in the list wins). A version applies when it is
    /// <paramref name="plan"/>'s or <see cref="Policy.AlwaysApply"/>. The asked date is judged with the versions in
    /// force on it, and so is every candidate date of the earliest-date search, so asking again on the reported
    /// earliest date answers eligible. Pass every version that can govern a day up to two years ahead.
    /// Warnings say what was not checked: a named plan with no version in force on the date, or no plan at all.
    /// </summary>
    public EligibilityResult Evaluate(ProposedInjection proposal, IEnumerable<InjectionRecord> history, IReadOnlyList<Policy> policies, string? plan)
    {
        ArgumentNullException.ThrowIfNull(policies);
        var result = Evaluate(proposal, history, policies, p => p.AlwaysApply || (plan is not null && p.Code == plan), plan);
        var notes = new List<string>();
        if (plan is null) notes.Add("No payer plan was named or found for this patient: only the clinic protocols were checked.");
        else if (!policies.Any(p => p.Code == plan && p.StartsBy(proposal.Date)))
        {
            var first = policies.Where(p => p.Code == plan).Select(p => p.EffectiveFrom).Min();
            notes.Add($"Plan '{plan}' has no version in force on {Messages.Date(proposal.Date)}: its rules were not checked for that date" +
                (first is { } f ? $" (its first version starts {Messages.Date(f)}; later dates are judged with it)." : "."));
        }
        return result.WithUnchecked(notes);
    }

    /// <summary>
    /// The rules <paramref name="proposal"/> breaks on its own date under <paramref name="plan"/> and the clinic protocols,
    /// as "policy/ruleId", in the order <see cref="Evaluate(ProposedInjection, IEnumerable{InjectionRecord}, IReadOnlyList{Policy}, string?)"/>
    /// lists its violations; empty when eligible. No earliest-date search, no messages: for flagging history as it is
    /// imported, where only the breaches on the day matter.
    /// </summary>
    public IReadOnlyList<string> BreachesOn(ProposedInjection proposal, IEnumerable<InjectionRecord> history, IReadOnlyList<Policy> policies, string? plan) =>
        Evaluate(proposal, history, policies, p => p.AlwaysApply || (plan is not null && p.Code == plan), plan, search: false)
            .Violations.Select(v => $"{v.Policy}/{v.RuleId}").ToList();

    private EligibilityResult Evaluate(ProposedInjection proposal, IEnumerable<InjectionRecord> history, IReadOnlyList<Policy> policies,
        Func<Policy, bool> applies, string? plan, bool search = true)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(policies);

        var prepared = new PreparedHistory(history, proposal);
        var day = RuleState.DayNumber(proposal.Date);
        var searchEnd = RuleState.DayNumber(proposal.Date.PlusYears(SearchYears));
        var states = new List<RuleState>();
        var checkedOn = new List<string>();
        foreach (var (policy, from, to) in Governing(policies, day, searchEnd))
        {
            if (!applies(policy)) continue;
            if (from <= day && day <= to) checkedOn.Add(policy.Code);
            foreach (var rule in policy.Rules)
            {
                if (!rule.AppliesTo(proposal.Procedure)) continue;
                var touches = rule.Kind is RuleKind.MinInterval or RuleKind.MaxSessions || proposal.Steroid is not null;
                states.Add(new RuleState(policy, rule, proposal, prepared, touches, day, searchEnd, from, to));
            }
        }

        var breaches = new (int Start, int End)?[states.Count];
        var eligible = true;
        for (var i = 0; i < states.Count; i++)
        {
            breaches[i] = states[i].Touches && states[i].InForce(day) ? states[i].FirstBreach(day) : null;
            eligible &= breaches[i] is null;
        }

        var passesOn = new int?[states.Count];
        int? earliest = eligible ? day : search ? FindEarliest(states, breaches, day, searchEnd, passesOn) : null;

        var violations = new List<Violation>();
        var usage = new List<RuleUsage>();
        var warnings = new List<string>();
        for (var i = 0; i < states.Count; i++)
        {
            var state = states[i];
            if (!state.InForce(day)) continue;
            if (breaches[i] is { } breach)
                violations.Add(new Violation(state.Policy.Code, state.Rule.Id, state.Rule.Kind,
                    Messages.Violation(catalog, state, proposal, breach),
                    ConflictingDates(state, breach, day), passesOn[i] is { } p ? RuleState.ToDate(p) : null));
            if (state.Rule.Kind == RuleKind.MinInterval) continue;
            var window = state.UsageWindow(proposal.Date);
            var used = state.Measure(RuleState.DayNumber(window.Start), RuleState.DayNumber(window.End));
            var limit = state.Limit;
            var isDose = state.Rule.Kind == RuleKind.MaxSteroidDose;
            usage.Add(new RuleUsage(state.Policy.Code, state.Rule.Id, state.Rule.Kind, used, limit, Math.Max(0m, limit - used),
                isDose ? UsageUnit.MgMpe : UsageUnit.Sessions, window.Start, window.End, state.Rule.Window!.Value)
            { Scope = state.Rule.Scope });
            var usesLastSession = !isDose && state.Touches && breaches[i] is null && state.Added(day) == 1m && used + 1 == limit;
            if (usesLastSession) warnings.Add(Messages.LastSession(catalog, state, proposal, window));
        }
        return new EligibilityResult(eligible, proposal.Date, earliest is { } e ? RuleState.ToDate(e) : null, violations, usage, warnings)
        {
            Plan = plan,
            PoliciesChecked = checkedOn,
        };
    }

    /// <summary>
    /// Each version with the days it governs, [from, to] as day numbers, keeping those that govern some day of
    /// [<paramref name="day"/>, <paramref name="searchEnd"/>]. Versions of one code are ordered by date (stable, so of
    /// two on one date the later in the list wins and the earlier governs no day).
    /// </summary>
    internal static IEnumerable<(Policy Policy, int From, int To)> Governing(IReadOnlyList<Policy> policies, int day, int searchEnd)
    {
        foreach (var versions in policies.GroupBy(p => p.Code, StringComparer.Ordinal))
        {
            var ordered = versions.OrderBy(p => p.EffectiveFrom is { } f ? RuleState.DayNumber(f) : int.MinValue).ToList();
            for (var i = 0; i < ordered.Count; i++)
            {
                var from = ordered[i].EffectiveFrom is { } f ? RuleState.DayNumber(f) : int.MinValue;
                var to = i + 1 < ordered.Count && ordered[i + 1].EffectiveFrom is { } next ? RuleState.DayNumber(next) - 1 : int.MaxValue;
                if (from <= to && to >= day && from <= searchEnd) yield return (ordered[i], from, to);
            }
        }
    }

    /// <summary>
    /// The versions that govern some day of [<paramref name="first"/>, <paramref name="last"/>]: each version runs from
    /// its <see cref="Policy.EffectiveFrom"/> (null: the beginning of time) to the day before the next version of its
    /// code takes over; of two versions on one date, the later in <paramref name="versions"/> wins and the earlier
    /// governs no day. In force on D is <c>GoverningVersions(v, D, D)</c>.
    /// </summary>
    public static IReadOnlyList<Policy> GoverningVersions(IReadOnlyList<Policy> versions, LocalDate first, LocalDate last) =>
        Governing(versions, RuleState.DayNumber(first), RuleState.DayNumber(last)).Select(g => g.Policy).ToList();

    /// <summary>
    /// The dates of service a check on <paramref name="date"/> can need under <paramref name="versions"/>: from the
    /// date through the end of the earliest-date search (<see cref="SearchYears"/> ahead), widened each way by the
    /// longest reach of any rule (a min-interval's days, or a year and a day for any window). A record outside it
    /// cannot change the answer, so stores read exactly this range.
    /// </summary>
    public static DateInterval HistoryNeeded(LocalDate date, IEnumerable<Policy> versions)
    {
        var reach = Math.Max(366, versions.SelectMany(v => v.Rules).Select(r => r.Days ?? 0).DefaultIfEmpty(0).Max());
        return new DateInterval(date.PlusDays(-reach), date.PlusYears(SearchYears).PlusDays(reach));
    }

    /// <summary>
    /// Each broken rule's own first passing day, then the first day every rule passes: a leapfrog join where each
    /// rule jumps the day forward to its next passing day until all agree (or one has none before the search end).
    /// </summary>
    /// <remarks>A rule is one policy code and rule id across versions: its own passing day is the first day on which
    /// the version governing that day passes (a version that drops or changes the rule counts).</remarks>
    private static int? FindEarliest(List<RuleState> states, (int, int)?[] breaches, int from, int to, int?[] passesOn)
    {
        for (var i = 0; i < states.Count; i++)
        {
            if (breaches[i] is null) continue;
            var sameRule = states.Where(s => s.Policy.Code == states[i].Policy.Code && s.Rule.Id == states[i].Rule.Id).ToList();
            passesOn[i] = Leapfrog(sameRule, from);
        }
        return Leapfrog(states, from);
    }

    /// <summary>
    /// The first day on or after <paramref name="from"/> on which every rule passes: each rule's verdict moves the day
    /// forward to its next passing day until all agree, or one has none (null). A rule's verdict is kept and reused while
    /// it still answers the current day, so each rule's candidates are scanned about once.
    /// </summary>
    private static int? Leapfrog(List<RuleState> states, int from)
    {
        var verdicts = new Verdict?[states.Count];
        var day = from;
        for (var agreed = false; !agreed;)
        {
            agreed = true;
            for (var i = 0; i < states.Count; i++)
            {
                if (!states[i].Touches) continue;
                if (verdicts[i] is not { } verdict || !verdict.Answers(day)) verdicts[i] = verdict = states[i].VerdictFrom(day);
                if (verdict.PassesOn is not { } next) return null;
                if (next != day) { day = next; agreed = false; }
            }
        }
        return day;
    }

    private static IReadOnlyList<LocalDate> ConflictingDates(RuleState state, (int Start, int End) breach, int day) =>
        state.DatesIn(breach.Start, breach.End, except: state.Rule.Kind == RuleKind.MinInterval ? day : null);
}
