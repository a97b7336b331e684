namespace ProcedureTracker.Domain.Policies;

/// <summary>What a rule limits.</summary>
public enum RuleKind
{
    /// <summary><c>min-interval</c>: no repeat within N days of another session, checked in both directions.</summary>
    MinInterval,
    /// <summary><c>max-sessions</c>: at most N sessions in a window.</summary>
    MaxSessions,
    /// <summary><c>max-steroid-sessions</c>: at most N sessions that used a steroid in a window.</summary>
    MaxSteroidSessions,
    /// <summary><c>max-steroid-dose</c>: at most N mg methylprednisolone-equivalent in a window.</summary>
    MaxSteroidDose,
}

/// <summary>Which earlier sessions a rule compares the proposed one with.</summary>
public enum RuleScope
{
    /// <summary><c>site</c>: same region and overlapping side.</summary>
    Site,
    /// <summary><c>region</c>: same region, any side.</summary>
    Region,
    /// <summary><c>patient</c>: the whole patient.</summary>
    Patient,
}

/// <summary>The period a counting rule counts over.</summary>
public enum RuleWindow
{
    /// <summary><c>calendar-year</c>: Jan 1 – Dec 31 of the date's year.</summary>
    CalendarYear,
    /// <summary><c>plan-year</c>: 12 months from the policy's plan-year start month-day.</summary>
    PlanYear,
    /// <summary><c>rolling-12-months</c>: every window (E − 1 year, E] that contains the date must hold.</summary>
    Rolling12Months,
}

/// <summary>The wire codes of rule kinds, scopes and windows (DOMAIN.md, API.md).</summary>
public static class RuleCodes
{
    /// <summary>Wire code of a kind.</summary>
    public static string ToCode(this RuleKind kind) => kind switch
    {
        RuleKind.MinInterval => "min-interval",
        RuleKind.MaxSessions => "max-sessions",
        RuleKind.MaxSteroidSessions => "max-steroid-sessions",
        _ => "max-steroid-dose",
    };

    /// <summary>Wire code of a scope.</summary>
    public static string ToCode(this RuleScope scope) => scope switch
    {
        RuleScope.Site => "site",
        RuleScope.Region => "region",
        _ => "patient",
    };

    /// <summary>Wire code of a window.</summary>
    public static string ToCode(this RuleWindow window) => window switch
    {
        RuleWindow.CalendarYear => "calendar-year",
        RuleWindow.PlanYear => "plan-year",
        _ => "rolling-12-months",
    };

    /// <summary>Parses a kind code; null when unknown.</summary>
    public static RuleKind? ParseKind(string? code) => code switch
    {
        "min-interval" => RuleKind.MinInterval,
        "max-sessions" => RuleKind.MaxSessions,
        "max-steroid-sessions" => RuleKind.MaxSteroidSessions,
        "max-steroid-dose" => RuleKind.MaxSteroidDose,
        _ => null,
    };

    /// <summary>Parses a scope code; null when unknown.</summary>
    public static RuleScope? ParseScope(string? code) => code switch
    {
        "site" => RuleScope.Site,
        "region" => RuleScope.Region,
        "patient" => RuleScope.Patient,
        _ => null,
    };

    /// <summary>Parses a window code; null when unknown.</summary>
    public static RuleWindow? ParseWindow(string? code) => code switch
    {
        "calendar-year" => RuleWindow.CalendarYear,
        "plan-year" => RuleWindow.PlanYear,
        "rolling-12-months" => RuleWindow.Rolling12Months,
        _ => null,
    };
}
