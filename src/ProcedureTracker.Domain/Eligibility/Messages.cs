using System.Globalization;
using NodaTime;
using NodaTime.Text;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Domain.Eligibility;

/// <summary>Plain-language sentences a clinician reads in the eligibility answer.</summary>
internal static class Messages
{
    private static readonly LocalDatePattern Iso = LocalDatePattern.Iso;

    public static string Violation(ProcedureCatalog catalog, RuleState state, ProposedInjection proposal, (int Start, int End) breach)
    {
        var rule = state.Rule;
        var policy = $"the {state.Policy.Name} policy";
        if (rule.Kind == RuleKind.MinInterval)
        {
            var day = RuleState.DayNumber(proposal.Date);
            var nearest = state.Samples
                .Where(s => s.DateOfService != proposal.Date && Math.Abs(RuleState.DayNumber(s.DateOfService) - day) < rule.Days)
                .MinBy(s => Math.Abs(RuleState.DayNumber(s.DateOfService) - day))!;
            var gap = RuleState.DayNumber(nearest.DateOfService) - day;
            var direction = gap < 0 ? "before" : "after";
            return $"{catalog.ProcedureName(nearest.Procedure)} at {nearest.Site.Describe(catalog.RegionName(nearest.Site.Region))} " +
                   $"on {Iso.Format(nearest.DateOfService)} is {Days(Math.Abs(gap))} {direction}; {policy} requires {rule.Days} days between sessions.";
        }

        var window = Describe(rule.Window!.Value, RuleState.ToDate(breach.Start), RuleState.ToDate(breach.End));
        var used = state.Measure(breach.Start, breach.End);
        var where = rule.Scope == RuleScope.Patient ? "" : $" at {proposal.Site.Describe(catalog.RegionName(proposal.Site.Region))}";
        if (rule.Kind == RuleKind.MaxSteroidDose)
        {
            var total = used + proposal.Steroid!.MpeMg;
            return $"This dose ({Mg(proposal.Steroid.MpeMg)} MPE) would bring steroid exposure{where} in {window} to " +
                   $"{Mg(total)} MPE; {policy} allows {Mg(rule.MaxMpeMg!.Value)}.";
        }
        var what = rule.Kind == RuleKind.MaxSteroidSessions ? "steroid" : Label(catalog, rule, proposal);
        if (rule.Max == 0) return $"{Capital(policy)} does not cover {what} sessions.";
        return $"Already {Count((int)used, $"{what} session")}{where} in {window}; {policy} allows {rule.Max}.";
    }

    public static string LastSession(ProcedureCatalog catalog, RuleState state, ProposedInjection proposal, DateInterval window)
    {
        var what = state.Rule.Kind == RuleKind.MaxSteroidSessions ? "steroid" : Label(catalog, state.Rule, proposal);
        LocalDate until;
        if (state.Rule.Window == RuleWindow.Rolling12Months)
        {
            // The oldest session of the window (or this one) leaves first; later back-dated records may push it further.
            var oldest = state.DatesIn(RuleState.DayNumber(window.Start), RuleState.DayNumber(window.End)).FirstOrDefault(proposal.Date);
            until = Windows.RollingExit(oldest);
        }
        else until = window.End.PlusDays(1);
        return $"This is the last {what} session {state.Policy.Code} allows until {Iso.Format(until)}.";
    }

    private static string Label(ProcedureCatalog catalog, Rule rule, ProposedInjection proposal) =>
        rule.AllProcedures || rule.Procedures.Count == 1
            ? (rule.AllProcedures ? "injection" : catalog.ProcedureName(rule.Procedures[0]).ToLowerInvariant())
            : catalog.ProcedureName(proposal.Procedure).ToLowerInvariant() + " (or related)";

    private static string Describe(RuleWindow window, LocalDate start, LocalDate end) => window switch
    {
        RuleWindow.CalendarYear => $"calendar year {start.Year}",
        RuleWindow.PlanYear => $"the plan year {Iso.Format(start)} to {Iso.Format(end)}",
        _ => $"the 12 months {Iso.Format(start)} to {Iso.Format(end)}",
    };

    public static string Date(LocalDate date) => Iso.Format(date);

    private static string Capital(string s) => char.ToUpperInvariant(s[0]) + s[1..];

    private static string Days(int n) => n == 1 ? "1 day" : $"{n} days";
    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
    private static string Mg(decimal mg) => mg.ToString("0.#", CultureInfo.InvariantCulture) + " mg";
}
