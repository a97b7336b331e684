using NodaTime;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Policies;
using static ProcedureTracker.Domain.Tests.Build;

namespace ProcedureTracker.Domain.Tests.Policies;

public class PolicyValidatorTests
{

    private static Validated<Policy> Validate(params RuleDraft?[] rules) =>
        PolicyValidator.Validate("acme-ppo", new PolicyDraft("ACME PPO", "07-01", false, "2026-01-01", rules), DefaultCatalog.Instance);

    [Test]
    public void Valid_draft_becomes_a_policy_with_defaults_filled()
    {
        var result = PolicyValidator.Validate("acme-ppo",
            new PolicyDraft("ACME PPO", null, null, null, [new RuleDraft("tpi-gap", "min-interval", [Tpi], "site", 7, null, null, null)]),
            DefaultCatalog.Instance);

        Assert.That(result.Errors, Is.Null);
        Assert.That(result.Value!.PlanYearStart, Is.EqualTo(new AnnualDate(1, 1)));
        Assert.That(result.Value.EffectiveFrom, Is.Null, "without a date the store decides: the beginning of time for a first version, today for a later one");
        Assert.That(result.Value.Rules.Single().Days, Is.EqualTo(7));
    }

    [TestCase("nope", null, "site", 7, null, null, "rules[0].kind")]
    [TestCase("min-interval", null, "everywhere", 7, null, null, "rules[0].scope")]
    [TestCase("min-interval", null, "site", null, null, null, "rules[0].days")]
    [TestCase("min-interval", null, "site", -3, null, null, "rules[0].days")]
    [TestCase("min-interval", null, "site", 7, 3, null, "rules[0].max")]
    [TestCase("max-sessions", null, "site", null, -1, "calendar-year", "rules[0].max")]
    [TestCase("max-sessions", null, "site", null, 4, null, "rules[0].window")]
    [TestCase("max-sessions", null, "site", null, 4, "fortnight", "rules[0].window")]
    [TestCase("max-steroid-dose", null, "patient", null, null, "plan-year", "rules[0].maxMpeMg")]
    public void Invalid_rule_is_reported_on_its_field(string kind, string? procedure, string scope, int? days, int? max, string? window, string field)
    {
        var result = Validate(new RuleDraft("r1", kind, [procedure ?? Tpi], scope, days, max, null, window));
        Assert.That(result.Errors!.ToDictionary().Keys, Does.Contain(field));
    }

    [Test]
    public void Unknown_procedure_duplicate_id_and_bad_dates_are_each_named()
    {
        var result = PolicyValidator.Validate("Bad Code!", new PolicyDraft("", "13-45", null, "2026-02-30",
        [
            new RuleDraft("r1", "min-interval", ["acupuncture"], "site", 7, null, null, null),
            new RuleDraft("r1", "max-steroid-dose", ["*"], "patient", null, null, -5m, "rolling-12-months"),
        ]), DefaultCatalog.Instance);

        Assert.That(result.Errors!.ToDictionary().Keys, Is.EquivalentTo(new[]
            { "code", "name", "planYearStart", "effectiveFrom", "rules[0].procedures[0]", "rules[1].id", "rules[1].maxMpeMg" }));
        Assert.That(result.Errors.ToDictionary()["rules[0].procedures[0]"].Single(), Is.EqualTo("Unknown procedure 'acupuncture'."));
    }

    [Test]
    public void Policy_without_rules_is_refused() =>
        Assert.That(Validate().Errors!.ToDictionary().Keys, Is.EqualTo(new[] { "rules" }));

    [Test]
    public void Default_policies_name_only_catalog_procedures()
    {
        foreach (var policy in DefaultPolicies.All)
            foreach (var rule in policy.Rules)
                Assert.That(rule.Procedures.All(p => p == Rule.AnyProcedure || DefaultCatalog.Instance.FindProcedure(p) is not null),
                    $"{policy.Code}/{rule.Id}");
    }
}
