using NodaTime;

namespace ProcedureTracker.Domain.Policies;

/// <summary>
/// The policies shipped with the product (DOMAIN.md "Default policies"), seeded into every new organization.
/// They are public payer defaults a clinic edits, never hard-coded truths. Approximations, each said here:
/// "6 months" is 182 days (26 weeks); the eviCore "3 per region per 6 months" has no 6-month window kind and is left
/// to its 12-month and 14-day rules; Medicare's "2 diagnostic + 4 therapeutic" SI sessions become 6 sessions of which
/// at most 4 with steroid (diagnostic SI blocks use local anaesthetic only).
/// </summary>
public static class DefaultPolicies
{
    private const string Tpi = "trigger-point-injection";
    private const string Esi = "epidural-steroid-injection";
    private const string Facet = "facet-joint-injection";
    private const string Rfa = "radiofrequency-ablation";
    private const string Si = "sacroiliac-joint-injection";
    private static readonly LocalDate? Since = null; // first versions: in force from the beginning of time
    private static readonly AnnualDate January1 = new(1, 1);

    /// <summary>All default policies.</summary>
    public static IReadOnlyList<Policy> All { get; } =
    [
        new("medicare-lcd", "Medicare LCD defaults", January1, false, Since,
        [
            Rule.MaxSessions("tpi-12m", [Tpi], RuleScope.Patient, 3, RuleWindow.Rolling12Months),
            Rule.MinInterval("tpi-gap", [Tpi], RuleScope.Site, 42),
            Rule.MaxSessions("esi-12m", [Esi], RuleScope.Region, 4, RuleWindow.Rolling12Months),
            Rule.MaxSessions("facet-12m", [Facet], RuleScope.Region, 4, RuleWindow.Rolling12Months),
            Rule.MaxSessions("rfa-12m", [Rfa], RuleScope.Region, 2, RuleWindow.Rolling12Months),
            Rule.MinInterval("rfa-gap", [Rfa], RuleScope.Site, 182),
            Rule.MaxSessions("si-12m", [Si], RuleScope.Patient, 6, RuleWindow.Rolling12Months),
            Rule.MaxSteroidSessions("si-therapeutic-12m", [Si], RuleScope.Patient, 4, RuleWindow.Rolling12Months),
            Rule.MaxSessions("prp-not-covered", ["prp-injection"], RuleScope.Patient, 0, RuleWindow.Rolling12Months),
            Rule.MaxSessions("dry-needling-not-covered", ["dry-needling"], RuleScope.Patient, 0, RuleWindow.Rolling12Months),
        ]),
        new("aetna-style", "Aetna-style TPI", January1, false, Since,
        [
            Rule.MinInterval("tpi-gap", [Tpi], RuleScope.Patient, 7),
        ]),
        new("evicore-style", "eviCore-style (Cigna)", January1, false, Since,
        [
            Rule.MaxSessions("esi-12m", [Esi], RuleScope.Region, 4, RuleWindow.Rolling12Months),
            Rule.MinInterval("esi-gap", [Esi], RuleScope.Region, 14),
            Rule.MinInterval("tpi-gap", [Tpi], RuleScope.Patient, 60),
            Rule.MaxSessions("tpi-year", [Tpi], RuleScope.Region, 4, RuleWindow.CalendarYear),
        ]),
        new("bcbs-style", "BCBS-style", January1, false, Since,
        [
            Rule.MaxSessions("tpi-12m", [Tpi], RuleScope.Patient, 4, RuleWindow.Rolling12Months),
            Rule.MaxSessions("si-year", [Si], RuleScope.Patient, 3, RuleWindow.CalendarYear),
            Rule.MaxSessions("esi-12m", [Esi], RuleScope.Patient, 6, RuleWindow.Rolling12Months),
        ]),
        new("clinic-steroid-protocol", "Clinic steroid protocol", January1, true, Since,
        [
            Rule.MaxSteroidSessions("steroid-sessions-12m", [Rule.AnyProcedure], RuleScope.Patient, 4, RuleWindow.Rolling12Months),
            Rule.MaxSteroidDose("steroid-mpe-12m", [Rule.AnyProcedure], RuleScope.Patient, 200m, RuleWindow.Rolling12Months),
        ]),
    ];
}
