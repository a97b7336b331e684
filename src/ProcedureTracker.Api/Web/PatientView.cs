using System.Globalization;
using ProcedureTracker.Application.Injections;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Api.Web;

/// <summary>One lane of the timeline: one procedure at one site.</summary>
public sealed record Lane(string Label, IReadOnlyList<InjectionRow> Records);

/// <summary>One usage meter: "2 of 3 sessions used, window A to B".</summary>
public sealed record Meter(string Policy, string RuleText, decimal Used, decimal Limit, UsageUnit Unit, LocalDate Start, LocalDate End)
{
    public string Summary => $"{Number(Used)} of {Number(Limit)} {Unit.ToText()} used, window {Dates.Show(Start)} to {Dates.Show(End)}";
    private static string Number(decimal d) => d.ToString("0.#", CultureInfo.InvariantCulture);
}

/// <summary>What the patient page shows, computed from the use cases (never the database).</summary>
public static class PatientView
{
    /// <summary>Lanes by procedure and site, in order of first appearance; voided records stay (struck through).</summary>
    public static IReadOnlyList<Lane> Lanes(IReadOnlyList<InjectionRow> rows, ProcedureCatalog catalog) =>
        rows.GroupBy(r => (r.Procedure, r.Region, r.Laterality))
            .Select(g => new Lane($"{catalog.ProcedureName(g.Key.Procedure)}, {catalog.RegionName(g.Key.Region)}{Side(g.Key.Laterality)}", g.ToList()))
            .ToList();

    private static string Side(string laterality) => laterality == "none" ? "" : $" ({laterality})";

    /// <summary>
    /// Usage of every counting rule that applies to a procedure and site the patient had in the last year, judged today
    /// under the patient's plan (the same answer a check would give), one meter per rule (and region when per region or site).
    /// </summary>
    public static async Task<IReadOnlyList<Meter>> MetersAsync(PatientStanding standing, Caller caller, IReadOnlyList<InjectionRow> rows,
        LocalDate today, ProcedureCatalog catalog, IReadOnlyDictionary<(string Policy, string RuleId), string> sentences, CancellationToken ct)
    {
        var meters = new List<Meter>();
        var seen = new HashSet<(string, string, string?)>();
        foreach (var (_, region, u) in await standing.RunAsync(caller, rows, today, ct))
            if (seen.Add((u.Policy, u.RuleId, u.Scope == RuleScope.Patient ? null : region)))
                meters.Add(new Meter(u.Policy, (sentences.TryGetValue((u.Policy, u.RuleId), out var text) ? text : u.RuleId) +
                    (u.Scope == RuleScope.Patient ? "" : $" (here: {catalog.RegionName(region)})"),
                    u.Used, u.Limit, u.Unit, u.WindowStart, u.WindowEnd));
        return meters;
    }
}

/// <summary>Dates as pages show them: ISO (yyyy-MM-dd), the form every record and report of the organization uses.</summary>
public static class Dates
{
    public static string Show(LocalDate date) => LocalDatePattern.Iso.Format(date);
    public static string Show(LocalDate? date) => date is { } d ? Show(d) : "";
}

/// <summary>Rules as sentences an admin or clinician reads.</summary>
public static class RuleText
{
    public static string Describe(Rule rule, Policy policy, ProcedureCatalog catalog)
    {
        var what = rule.AllProcedures ? "injection" : string.Join(" or ", rule.Procedures.Select(p => catalog.ProcedureName(p).ToLowerInvariant()));
        var scope = rule.Scope switch { RuleScope.Site => "at the same site", RuleScope.Region => "in the same region", _ => "per patient" };
        var window = rule.Window switch
        {
            RuleWindow.CalendarYear => "per calendar year",
            RuleWindow.PlanYear => $"per plan year (from {policy.PlanYearStart.Month:00}-{policy.PlanYearStart.Day:00})",
            _ => "in any rolling 12 months",
        };
        return rule.Kind switch
        {
            RuleKind.MinInterval => $"No repeat {what} {scope} within {rule.Days} days.",
            RuleKind.MaxSessions when rule.Max == 0 => $"No {what} sessions are covered.",
            RuleKind.MaxSessions => $"At most {rule.Max} {what} session{(rule.Max == 1 ? "" : "s")} {scope} {window}.",
            RuleKind.MaxSteroidSessions => $"At most {rule.Max} {what} session{(rule.Max == 1 ? "" : "s")} with steroid {scope} {window}.",
            _ => $"At most {rule.MaxMpeMg?.ToString("0.#", CultureInfo.InvariantCulture)} mg methylprednisolone-equivalent of steroid with {(rule.AllProcedures ? "any injection" : what)} {scope} {window}.",
        };
    }
}
