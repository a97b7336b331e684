using System.Globalization;
using ProcedureTracker.Application.Injections;
using ProcedureTracker.Application.Reports;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Api.Web;

/// <summary>One lane of the timeline: one procedure at one site.</summary>
public sealed record Lane(string Label, IReadOnlyList<InjectionRow> Records);

/// <summary>How near a meter is to its limit: room left, the last session (or little steroid) left, at the limit, over it.</summary>
public enum MeterLevel { Room, Last, AtLimit, Over }

/// <summary>One usage meter: "2 of 3 sessions used, window A to B", with its level in words and colour.</summary>
public sealed record Meter(string Policy, string RuleText, decimal Used, decimal Limit, UsageUnit Unit, LocalDate Start, LocalDate End)
{
    public string Summary => $"{Number(Used)} of {Number(Limit)} {Unit.ToText()} used, window {Dates.Show(Start)} to {Dates.Show(End)}";

    public MeterLevel Level => Used > Limit ? MeterLevel.Over : Used == Limit ? MeterLevel.AtLimit
        : ApproachingLimits.IsNear(Unit, Limit - Used) ? MeterLevel.Last : MeterLevel.Room;

    /// <summary>The level in words (the colour is never the only sign).</summary>
    public string Words => Level switch
    {
        MeterLevel.Over => $"Over the limit by {Number(Used - Limit)} {(Used - Limit == 1 && Unit == UsageUnit.Sessions ? "session" : Unit.ToText())}",
        MeterLevel.AtLimit => "At the limit: no more in this window",
        MeterLevel.Last => Unit == UsageUnit.Sessions ? "1 session left: the next is the last" : $"{Number(Limit - Used)} mg MPE left",
        _ => $"{Number(Limit - Used)} {Unit.ToText()} left",
    };

    public string CssClass => Level switch { MeterLevel.Over or MeterLevel.AtLimit => "bad", MeterLevel.Last => "last", _ => "room" };

    /// <summary>The meter's width class: the share used, to the nearest 5% (a used share above 0 never shows as empty).</summary>
    public string WidthClass
    {
        get
        {
            var percent = Limit <= 0 ? 100m : Math.Min(100m, Used * 100 / Limit);
            var step = (int)Math.Round(percent / 5, MidpointRounding.AwayFromZero) * 5;
            return "w" + (percent > 0 && step == 0 ? 5 : step).ToString(CultureInfo.InvariantCulture);
        }
    }

    private static string Number(decimal d) => d.ToString("0.#", CultureInfo.InvariantCulture);
}

/// <summary>When a lane's procedure may next be repeated at its site (as a check today repeating its latest record answers).</summary>
public sealed record NextAllowed(string Label, string RepeatedAs, bool AllowedToday, LocalDate? Earliest, string? Why);

/// <summary>The fields of an injection as the patient page's forms carry them (text as typed).</summary>
public sealed record InjectionFields(string? Procedure, string? Cpt, string? Region, string? Laterality, string? Detail, string? Drug, string? Dose,
    string? Date, string? Plan, string? Guidance, string? Provider, string? Levels = null)
{
    public static InjectionFields Of(InjectionRow r) => new(r.Procedure, r.CptCode, r.Region, r.Laterality, r.SiteDetail, r.SteroidDrug,
        r.SteroidDoseMg?.ToString("0.##", CultureInfo.InvariantCulture), Dates.Show(r.DateOfService), r.Plan ?? "", r.ImageGuidance, r.ProviderId,
        r.Levels.ToString(CultureInfo.InvariantCulture));

    /// <summary>The levels as typed ("" or absent is 1); null with <paramref name="ok"/> false when not a whole number.</summary>
    public int? LevelsNumber(out bool ok)
    {
        ok = true;
        if (string.IsNullOrWhiteSpace(Levels)) return null;
        if (int.TryParse(Levels.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
        ok = false;
        return null;
    }

    /// <summary>The query string that asks the check for these fields.</summary>
    public string Query() => string.Join("&", new (string Key, string? Value)[]
        {
            ("procedure", Procedure), ("cpt", Cpt), ("region", Region), ("laterality", Laterality), ("detail", Detail), ("drug", Drug), ("dose", Dose),
            ("date", Date), ("plan", Plan), ("guidance", Guidance), ("provider", Provider), ("levels", Levels),
        }.Where(p => p.Value is not null).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}"));

    /// <summary>The lines that differ from <paramref name="before"/>, as "what will change" lists them.</summary>
    public IReadOnlyList<(string Field, string Before, string After)> ChangesFrom(InjectionFields before, ProcedureCatalog catalog)
    {
        var changes = new List<(string, string, string)>();
        void Add(string field, string? a, string? b, Func<string?, string> show)
        {
            if ((string.IsNullOrEmpty(a) ? null : a) != (string.IsNullOrEmpty(b) ? null : b)) changes.Add((field, show(a), show(b)));
        }
        static string Plain(string? v) => string.IsNullOrEmpty(v) ? "(none)" : v;
        Add("Procedure", before.Procedure, Procedure, v => v is null ? "(none)" : catalog.ProcedureName(v));
        Add("CPT code", before.Cpt, Cpt, Plain);
        Add("Region", before.Region, Region, v => v is null ? "(none)" : catalog.RegionName(v));
        Add("Side", before.Laterality, Laterality, Plain);
        Add("Site detail", before.Detail, Detail, Plain);
        Add("Steroid", before.Drug, Drug, Plain);
        Add("Dose (mg)", PatientView.NormalDose(before.Dose), PatientView.NormalDose(Dose), Plain);
        Add("Date", before.Date, Date, Plain);
        Add("Plan", before.Plan, Plan, Plain);
        Add("Image guidance", before.Guidance, Guidance, Plain);
        Add("Provider", before.Provider, Provider, Plain);
        Add("Levels", string.IsNullOrWhiteSpace(before.Levels) ? "1" : before.Levels.Trim(), string.IsNullOrWhiteSpace(Levels) ? "1" : Levels.Trim(), Plain);
        return changes;
    }
}

/// <summary>What the patient page shows, computed from the use cases (never the database).</summary>
public static class PatientView
{
    /// <summary>The fields whose messages sit beside them (the summary links to them): name to element id.</summary>
    public static readonly IReadOnlyDictionary<string, string> InlineFields = new Dictionary<string, string>
    {
        ["CPT code"] = "cpt", ["Site detail"] = "detail", ["Steroid"] = "drug", ["Dose"] = "dose", ["Date"] = "date", ["Plan"] = "plan",
        ["Provider"] = "provider", ["Levels"] = "levels", ["Override reason"] = "reason", ["Prior authorization"] = "pa",
    };

    /// <summary>
    /// A dose as typed: empty is none; a decimal comma is a decimal point ("8,5" is 8.5 mg); anything else that is not a
    /// plain positive decimal is refused (false).
    /// </summary>
    public static bool TryParseDose(string? text, out decimal? mg)
    {
        mg = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        var t = text.Trim();
        if (t.Count(c => c == ',') == 1 && !t.Contains('.')) t = t.Replace(',', '.');
        if (!decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d)) return false;
        mg = d;
        return true;
    }

    /// <summary>A dose as typed, normalized for comparison ("40", "40.0" and "40,0" are one dose).</summary>
    public static string? NormalDose(string? text) =>
        TryParseDose(text, out var mg) && mg is { } d ? d.ToString("0.##", CultureInfo.InvariantCulture) : string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>Years of the history, newest first, each with its records newest first.</summary>
    public static IReadOnlyList<(int Year, IReadOnlyList<InjectionRow> Rows)> ByYear(IReadOnlyList<InjectionRow> rows) =>
        rows.GroupBy(r => r.DateOfService.Year).OrderByDescending(g => g.Key)
            .Select(g => (g.Key, (IReadOnlyList<InjectionRow>)g.OrderByDescending(r => r.DateOfService).ThenByDescending(r => r.RecordedAt).ToList()))
            .ToList();

    /// <summary>
    /// For each procedure and site with a live record in the last two years (at most twelve, latest first): may it be
    /// repeated today, and if not, from when (the engine's answer to repeating the lane's latest record, steroid included).
    /// </summary>
    public static async Task<IReadOnlyList<NextAllowed>> NextAllowedAsync(PatientStanding standing, Caller caller, IReadOnlyList<InjectionRow> rows,
        LocalDate today, ProcedureCatalog catalog, CancellationToken ct) =>
        (await standing.NextAllowedAsync(caller, rows, today, today.PlusYears(-2), lanes: 12, ct)).Select(x => new NextAllowed(
            $"{catalog.ProcedureName(x.Latest.Procedure)}, {catalog.RegionName(x.Latest.Region)}{Side(x.Latest.Laterality)}",
            x.Latest.SteroidDrug is null ? "without steroid" : $"with {x.Latest.SteroidDrug} {x.Latest.SteroidDoseMg:0.##} mg, as on {Dates.Show(x.Latest.DateOfService)}",
            x.Answer.Eligible, x.Answer.EarliestEligibleDate, x.Answer.Violations.FirstOrDefault()?.Message)).ToList();

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

/// <summary>What changed from one version of a policy to the next, in sentences (rules matched by id).</summary>
public static class PolicyChanges
{
    public static IReadOnlyList<string> Between(Policy before, Policy after, ProcedureCatalog catalog)
    {
        var changes = new List<string>();
        if (before.Name != after.Name) changes.Add($"Name: \"{before.Name}\" → \"{after.Name}\".");
        if (before.PlanYearStart != after.PlanYearStart)
            changes.Add($"Plan year starts {before.PlanYearStart.Month:00}-{before.PlanYearStart.Day:00} → {after.PlanYearStart.Month:00}-{after.PlanYearStart.Day:00}.");
        if (before.AlwaysApply != after.AlwaysApply) changes.Add(after.AlwaysApply ? "Now applies to every patient." : "No longer applies to every patient.");
        var old = before.Rules.ToDictionary(r => r.Id);
        var now = after.Rules.ToDictionary(r => r.Id);
        foreach (var r in after.Rules)
        {
            var text = RuleText.Describe(r, after, catalog);
            if (!old.TryGetValue(r.Id, out var was)) changes.Add($"Added {r.Id}: {text}");
            else if (RuleText.Describe(was, before, catalog) is var wasText && wasText != text) changes.Add($"Changed {r.Id}: {wasText} → {text}");
        }
        foreach (var r in before.Rules.Where(r => !now.ContainsKey(r.Id))) changes.Add($"Removed {r.Id}: {RuleText.Describe(r, before, catalog)}");
        return changes;
    }
}
