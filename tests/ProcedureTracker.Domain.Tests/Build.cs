using NodaTime;
using NodaTime.Text;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Domain.Tests;

/// <summary>Terse builders for test histories and policies.</summary>
internal static class Build
{
    public const string Tpi = "trigger-point-injection";
    public const string Esi = "epidural-steroid-injection";
    public static readonly ProcedureCatalog Catalog = DefaultCatalog.Instance;
    public static readonly EligibilityEvaluator Evaluator = new(Catalog);

    public static LocalDate D(string iso) => LocalDatePattern.Iso.Parse(iso).GetValueOrThrow();

    public static SteroidUse Steroid(string drug, decimal mg) => SteroidUse.Of(Catalog.FindDrug(drug)!, mg);

    public static InjectionRecord Rec(string date, string procedure = Tpi, string region = "neck", Laterality side = Laterality.Left,
        SteroidUse? steroid = null, bool voided = false) =>
        new(Guid.NewGuid(), procedure, new BodySite(region, side), steroid, D(date), voided);

    public static ProposedInjection Ask(string date, string procedure = Tpi, string region = "neck", Laterality side = Laterality.Left,
        SteroidUse? steroid = null) =>
        new(procedure, new BodySite(region, side), steroid, D(date));

    public static Policy Policy(params Rule[] rules) => PolicyWith(new AnnualDate(1, 1), rules);

    public static Policy PolicyWith(AnnualDate planYearStart, params Rule[] rules) =>
        new("acme-ppo", "ACME PPO", planYearStart, false, D("2020-01-01"), rules);

    public static EligibilityResult Check(ProposedInjection ask, IEnumerable<InjectionRecord> history, params Policy[] policies) =>
        Evaluator.Evaluate(ask, history, policies);
}
