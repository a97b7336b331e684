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
    /// under <paramref name="policies"/> (the versions in force on the proposal's date; a policy's rules that do not
    /// name the proposed procedure do not apply). The earliest eligible date is exact: it is the first date on or
    /// after the asked date on which every rule passes, judged with the same policy versions.
    /// </summary>
    public EligibilityResult Evaluate(ProposedInjection proposal, IEnumerable<InjectionRecord> history, IReadOnlyList<Policy> policies)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(policies);

        var prepared = new PreparedHistory(history, proposal);
        var day = RuleState.DayNumber(proposal.Date);
        var searchEnd = RuleState.DayNumber(proposal.Date.PlusYears(SearchYears));
        var states = new List<RuleState>();
        foreach (var policy in policies)
            foreach (var rule in policy.Rules)
            {
                if (!rule.AppliesTo(proposal.Procedure)) continue;
                var touches = rule.Kind is RuleKind.MinInterval or RuleKind.MaxSessions || proposal.Steroid is not null;
                states.Add(new RuleState(policy, rule, proposal, prepared, touches, day, searchEnd));
            }

        var breaches = new (int Start, int End)?[states.Count];
        var eligible = true;
        for (var i = 0; i < states.Count; i++)
        {
            breaches[i] = states[i].Touches ? states[i].FirstBreach(day) : null;
            eligible &= breaches[i] is null;
        }

        var passesOn = new int?[states.Count];
        int? earliest = eligible ? day : FindEarliest(states, breaches, day, searchEnd, passesOn);

        var violations = new List<Violation>();
        var usage = new List<RuleUsage>();
        var warnings = new List<string>();
        for (var i = 0; i < states.Count; i++)
        {
            var state = states[i];
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
                isDose ? "mg" : "sessions", window.Start, window.End, state.Rule.Window!.Value));
            if (!isDose && state.Touches && breaches[i] is null && state.Added(day) == 1m && used + 1 == limit)
                warnings.Add(Messages.LastSession(catalog, state, proposal, window));
        }
        return new EligibilityResult(eligible, proposal.Date, earliest is { } e ? RuleState.ToDate(e) : null, violations, usage, warnings);
    }

    /// <summary>
    /// Each broken rule's own first passing day, then the first day every rule passes: a leapfrog join where each
    /// rule jumps the day forward to its next passing day until all agree (or one has none before the search end).
    /// </summary>
    private static int? FindEarliest(List<RuleState> states, (int, int)?[] breaches, int from, int to, int?[] passesOn)
    {
        for (var i = 0; i < states.Count; i++)
            if (breaches[i] is not null) passesOn[i] = states[i].NextPass(from, to);
        var day = from;
        for (var agreed = false; !agreed;)
        {
            agreed = true;
            for (var i = 0; i < states.Count; i++)
            {
                if (!states[i].Touches) continue;
                if (states[i].NextPass(day, to) is not { } next) return null;
                if (next != day) { day = next; agreed = false; }
            }
        }
        return day;
    }

    private static IReadOnlyList<LocalDate> ConflictingDates(RuleState state, (int Start, int End) breach, int day) =>
        state.DatesIn(breach.Start, breach.End, except: state.Rule.Kind == RuleKind.MinInterval ? day : null);
}
